"""`python -m patient_billing migrate | api | worker`."""

from patient_billing.service import SERVICE

if __name__ == "__main__":
    SERVICE.main()
