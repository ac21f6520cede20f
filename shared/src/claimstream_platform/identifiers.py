"""Healthcare identifier checks every service needs (a format check, never a registry lookup)."""


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit over '80840' + the NPI's first nine digits (CMS)."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if position % 2 == 0:  # every second digit from the right, starting with the rightmost
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """A 10-digit NPI whose last digit is its check digit."""
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == int(npi[9])
