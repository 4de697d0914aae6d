"""docmesh.session.v1.CustomerService: proto ↔ the customer rules (thin)."""

from __future__ import annotations

import datetime as dt

import grpc
from google.protobuf import timestamp_pb2

from docmesh.session.v1 import customer_service_pb2 as pb
from docmesh.session.v1 import customer_service_pb2_grpc
from docmesh_session.domain import CustomerRecord
from docmesh_session.service.customers import CustomerRules, to_message
from docmesh_session.servicer import owner_id
from docmesh_session.validation import parse_uuid


def _ts(value: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def customer_to_proto(record: CustomerRecord) -> pb.Customer:
    customer = to_message(record)
    customer.id = str(record.id)
    customer.create_time.CopyFrom(_ts(record.create_time))
    customer.update_time.CopyFrom(_ts(record.update_time))
    return customer


class CustomerServicer(customer_service_pb2_grpc.CustomerServiceServicer):
    def __init__(self, rules: CustomerRules) -> None:
        self.rules = rules

    async def CreateCustomer(
        self, request: pb.CreateCustomerRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateCustomerResponse:
        created = await self.rules.create(owner_id(), request.customer)
        return pb.CreateCustomerResponse(customer=customer_to_proto(created))

    async def GetCustomer(
        self, request: pb.GetCustomerRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetCustomerResponse:
        found = await self.rules.get(owner_id(), parse_uuid(request.customer_id, "customer_id"))
        return pb.GetCustomerResponse(customer=customer_to_proto(found))

    async def ListCustomers(
        self, request: pb.ListCustomersRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListCustomersResponse:
        page = await self.rules.list(
            owner_id(), request.query, size=request.page_size, token=request.page_token
        )
        return pb.ListCustomersResponse(
            customers=[customer_to_proto(c) for c in page.items], next_page_token=page.next_page_token
        )

    async def UpdateCustomer(
        self, request: pb.UpdateCustomerRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateCustomerResponse:
        customer_id = parse_uuid(request.customer.id, "customer.id")
        updated = await self.rules.update(owner_id(), customer_id, request.customer, request.update_mask)
        return pb.UpdateCustomerResponse(customer=customer_to_proto(updated))

    async def DeleteCustomer(
        self, request: pb.DeleteCustomerRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteCustomerResponse:
        await self.rules.delete(owner_id(), parse_uuid(request.customer_id, "customer_id"))
        return pb.DeleteCustomerResponse()

    async def MatchCustomer(
        self, request: pb.MatchCustomerRequest, context: grpc.aio.ServicerContext
    ) -> pb.MatchCustomerResponse:
        found = await self.rules.match(owner_id(), request.name)
        if found is None:
            return pb.MatchCustomerResponse(found=False)
        record, match = found
        return pb.MatchCustomerResponse(found=True, customer=customer_to_proto(record), score=match.score)
