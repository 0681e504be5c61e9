"""A local Paystack speaking its documented wire format (never the internet).

Bearer secret-key auth; amounts in the currency's subunit; answers `{"status", "message",
"data"}`. `POST /transaction/initialize`, `GET /transaction/verify/{reference}`,
`POST /transaction/charge_authorization`, `POST /refund`, `GET /refund?transaction=`; a reference
used before is refused with 400 "Duplicate Transaction Reference". The test plays the customer
with `pay(reference)` (the hosted page) and the provider's back office with `process_refund`,
each returning the webhook body Paystack would send; `signature(raw)` signs it as Paystack does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from typing import Any

from .providers import _FakeServer

SECRET = "sk_test_kerbside0paystack"
DUPLICATE = (400, {"status": False, "message": "Duplicate Transaction Reference"})


class FakePaystack(_FakeServer):
    def __init__(self, secret_key: str = SECRET) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.transactions: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.decline_codes: set[str] = set()
        self.charges: list[str] = []  # references of the card charges actually made
        self._transaction_ids = itertools.count(4_100_001)
        self._codes = itertools.count(1)

    # the wire
    def handle_request(self, method, path, headers, form):  # type: ignore[no-untyped-def]
        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            return 401, {"status": False, "message": "Invalid key"}
        with self._lock:
            self.calls.append((method, path, dict(form)))
        failure = self.next_failure()
        if failure:
            return failure
        if method == "POST" and path == "/transaction/initialize":
            return self._initialize(form)
        if method == "GET" and path.startswith("/transaction/verify/"):
            found = self.transactions.get(path.rsplit("/", 1)[1])
            if found is None:
                return 400, {"status": False, "message": "Transaction reference not found"}
            return 200, {"status": True, "message": "Verification successful", "data": found}
        if method == "POST" and path == "/transaction/charge_authorization":
            return self._charge_authorization(form)
        if method == "POST" and path == "/refund":
            return self._refund(form)
        if method == "GET" and path == "/refund":
            wanted = form.get("transaction")
            listed = [r for r in self.refunds if str(r["transaction"]["id"]) == wanted]
            return 200, {"status": True, "message": "Refunds retrieved", "data": listed}
        return 404, {"status": False, "message": "Not found"}

    def _transaction(self, form: dict[str, Any], status: str) -> dict[str, Any]:
        return {
            "id": next(self._transaction_ids),
            "domain": "test",
            "status": status,
            "reference": form["reference"],
            "amount": int(form["amount"]),
            "currency": form.get("currency") or "ZAR",
            "gateway_response": None,
            "metadata": form.get("metadata") or {},
            "channel": "card",
            "paid_at": None,
            "customer": {
                "email": form["email"],
                "customer_code": f"CUS_{abs(hash(form['email'])) % 10**8}",
            },
            "authorization": {},
        }

    def _initialize(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not form.get("email") or not form.get("amount"):
            return 400, {"status": False, "message": "email and amount are required"}
        if form.get("reference") in self.transactions:
            return DUPLICATE
        self.transactions[form["reference"]] = self._transaction(form, "abandoned")
        code = f"acc{next(self._codes):06d}"
        return 200, {
            "status": True,
            "message": "Authorization URL created",
            "data": {
                "authorization_url": f"{self.url}/checkout/{code}",
                "access_code": code,
                "reference": form["reference"],
            },
        }

    def _charge_authorization(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if form.get("reference") in self.transactions:
            return DUPLICATE
        code = form.get("authorization_code")
        declined = code in self.decline_codes
        transaction = self._transaction(form, "failed" if declined else "success")
        transaction["authorization"] = self.authorization(code or "", reusable=True)
        transaction["gateway_response"] = "Declined" if declined else "Approved"
        with self._lock:
            self.transactions[form["reference"]] = transaction
            self.charges.append(form["reference"])
        return 200, {"status": True, "message": "Charge attempted", "data": transaction}

    def _refund(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        transaction = self.transactions.get(str(form.get("transaction")))
        if transaction is None or transaction["status"] != "success":
            return 400, {"status": False, "message": "Transaction not found or not refundable"}
        done = sum(r["amount"] for r in self.refunds if r["transaction"]["id"] == transaction["id"])
        amount = int(form.get("amount") or transaction["amount"] - done)
        if amount + done > transaction["amount"]:
            return 400, {
                "status": False,
                "message": "Refund amount cannot be more than the transaction amount",
            }
        refund = {
            "id": 900_000 + len(self.refunds) + 1,
            "status": "pending",
            "amount": amount,
            "currency": transaction["currency"],
            "merchant_note": form.get("merchant_note"),
            "transaction": {
                "id": transaction["id"],
                "reference": transaction["reference"],
                "amount": transaction["amount"],
            },
            "deducted_amount": 0,
            "fully_deducted": False,
        }
        self.refunds.append(refund)
        return 200, {
            "status": True,
            "message": "Refund has been queued for processing",
            "data": refund,
        }

    # the customer and the back office
    @staticmethod
    def authorization(code: str, *, reusable: bool) -> dict[str, Any]:
        return {
            "authorization_code": code,
            "bin": "408408",
            "last4": "4081",
            "exp_month": "12",
            "exp_year": "2030",
            "channel": "card",
            "card_type": "visa ",
            "bank": "TEST BANK",
            "country_code": "ZA",
            "brand": "visa",
            "reusable": reusable,
            "signature": f"SIG_{code}",
            "account_name": None,
        }

    def pay(
        self,
        reference: str,
        *,
        amount: int | None = None,
        currency: str | None = None,
        reusable: bool = True,
    ) -> dict[str, Any]:
        """The customer pays on the hosted page: the `charge.success` webhook body."""
        transaction = self.transactions[reference]
        transaction.update(
            status="success", paid_at="2026-11-25T08:05:00.000Z", gateway_response="Approved"
        )
        if amount is not None:
            transaction["amount"] = amount
        if currency is not None:
            transaction["currency"] = currency
        code = f"AUTH_{next(self._codes):08d}"
        transaction["authorization"] = self.authorization(code, reusable=reusable)
        return {"event": "charge.success", "data": dict(transaction)}

    def process_refund(self, refund: dict[str, Any], status: str = "processed") -> dict[str, Any]:
        refund["status"] = status
        return {
            "event": f"refund.{status}",
            "data": {
                "status": status,
                "transaction_reference": refund["transaction"]["reference"],
                "refund_reference": f"{refund['id']}0001" if status == "processed" else None,
                "amount": str(refund["amount"]),
                "currency": refund["currency"],
                "processor": "mpgs_zen",
                "customer": {"email": "x@example.com"},
                "integration": 412829,
                "domain": "test",
            },
        }

    def signature(self, raw: bytes) -> str:
        return hmac.new(self.secret_key.encode(), raw, hashlib.sha512).hexdigest()

    @staticmethod
    def raw(body: dict[str, Any]) -> bytes:
        return json.dumps(body, separators=(",", ":")).encode()
