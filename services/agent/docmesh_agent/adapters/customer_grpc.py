"""CustomerBook over the session process's CustomerService gRPC API."""

from __future__ import annotations

from google.protobuf import field_mask_pb2

from docmesh.session.v1 import customer_service_pb2 as cus_pb2
from docmesh.session.v1 import customer_service_pb2_grpc as cus_grpc
from docmesh_agent.domain import Customer
from docmesh_agent.settings import AgentSettings
from docmesh_common.clients import Upstream
from docmesh_common.model.invoice import Party, party_from_proto, party_to_proto


class GrpcCustomerBook:
    def __init__(self, upstream: Upstream[cus_grpc.CustomerServiceStub]) -> None:
        self._upstream = upstream

    @classmethod
    def connect(cls, settings: AgentSettings) -> GrpcCustomerBook:
        """The session process serves the customers, so this client goes to the session target."""
        return cls(Upstream("customer", settings.session_target, cus_grpc.CustomerServiceStub, settings))

    async def close(self) -> None:
        await self._upstream.close()

    async def match(self, name: str) -> Customer | None:
        found = await self._upstream.call(
            self._upstream.stub.MatchCustomer, cus_pb2.MatchCustomerRequest(name=name)
        )
        return _customer(found.customer) if found.found else None

    async def get(self, customer_id: str) -> Customer:
        got = await self._upstream.call(
            self._upstream.stub.GetCustomer, cus_pb2.GetCustomerRequest(customer_id=customer_id)
        )
        return _customer(got.customer)

    async def create(self, customer: Customer) -> Customer:
        created = await self._upstream.call(
            self._upstream.stub.CreateCustomer,
            cus_pb2.CreateCustomerRequest(
                customer=cus_pb2.Customer(
                    party=party_to_proto(customer.party),
                    default_currency_code=customer.default_currency_code,
                    default_payment_terms=customer.default_payment_terms,
                    default_payment_days=customer.default_payment_days,
                )
            ),
        )
        return _customer(created.customer)

    async def update_party(self, customer_id: str, party: Party) -> Customer:
        updated = await self._upstream.call(
            self._upstream.stub.UpdateCustomer,
            cus_pb2.UpdateCustomerRequest(
                customer=cus_pb2.Customer(id=customer_id, party=party_to_proto(party)),
                update_mask=field_mask_pb2.FieldMask(paths=["party"]),
            ),
        )
        return _customer(updated.customer)


def _customer(customer: cus_pb2.Customer) -> Customer:
    return Customer(
        id=customer.id,
        # The invoice model's own conversion of a party, so the two never differ.
        party=party_from_proto(customer.party),
        default_currency_code=customer.default_currency_code,
        default_payment_terms=customer.default_payment_terms,
        default_payment_days=customer.default_payment_days,
    )
