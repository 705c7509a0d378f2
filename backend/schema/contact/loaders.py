"""The contact domain's DataLoaders (mixed into ``backend.schema.loaders.Loaders``)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.models import Complaint, ContactReply, WalletTransaction
from backend.schema.dataloader import BaseLoaders, by_key
from backend.services import complaints, contact


class ContactLoaders(BaseLoaders):
    """Read receipts of messages and replies to contact requests."""

    @cached_property
    def read_at_by_message(self) -> DataLoader[int, datetime | None]:
        return by_key(lambda ids: contact.read_at_by_message(self._cid, ids))

    @cached_property
    def replies_by_request(self) -> DataLoader[int, list[ContactReply]]:
        return by_key(lambda ids: contact.replies_by_request(self._cid, ids), list)

    @cached_property
    def complaint_by_request(self) -> DataLoader[int, Complaint | None]:
        return by_key(lambda ids: complaints.complaints_by_request(ids, self._cid))

    @cached_property
    def complaint_credit(self) -> DataLoader[int, WalletTransaction | None]:
        return by_key(lambda ids: complaints.credits_by_id(self._cid, ids))
