"""Healthcare identifier checks every service needs (a format check, never a registry lookup)."""


def npi_is_valid(npi: str) -> bool:
    """A 10-digit NPI whose last digit is the Luhn check digit over '80840' + its first nine digits (CMS)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi[:9])):
        digit = int(char)
        if position % 2 == 0:  # every second digit from the right, starting with the rightmost
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])
