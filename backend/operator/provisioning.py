"""``completeDeviceCommand``: the operator reports the outcome of a device command it was handed
(a ``device_command.requested`` event), by the event's ``commandId``
(``backend.services.provisioning.complete``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.models import DeviceCommand
from backend.operator.context import OperatorInfo
from backend.operator.permissions import requires
from backend.schema.enums import CommandKind, CommandResult, CommandStatus, ReasonCode
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.services import provisioning
from backend.services.operator_keys import Scope


@strawberry.input
class CompleteDeviceCommandInput:
    id: str = strawberry.field(description="The event's commandId, e.g. cmd_42.")
    status: CommandResult
    detail: str = strawberry.field(
        default="",
        description="The operator's text (one line, at most 200 characters). With FAILED and "
        "reasonCode OTHER the customer reads it after the reason's text, with no reasonCode alone "
        "(neither: the text of OTHER).",
    )
    reason_code: ReasonCode | None = strawberry.field(
        default=None,
        description="FAILED only: the customer reads this reason in their language (not TIMEOUT).",
    )


@strawberry.type(name="DeviceCommand", description="A device command as the operator sees it.")
class OperatorDeviceCommand:
    id: str = strawberry.field(description="The commandId.")
    kind: CommandKind
    status: CommandStatus
    attempts: int = strawberry.field(description="How many times it was handed over.")
    requested_at: datetime
    completed_at: datetime | None
    detail: str = strawberry.field(description="The detail of a FAILED outcome.")
    reason_code: ReasonCode | None

    @classmethod
    def from_model(cls, row: DeviceCommand) -> OperatorDeviceCommand:
        return cls(
            id=provisioning.command_id(row.id),
            kind=row.kind,
            status=row.status,
            attempts=row.attempts,
            requested_at=row.requested_at,
            completed_at=row.completed_at,
            detail=row.failure_reason,
            reason_code=provisioning.reason_code(row),
        )


@strawberry.type
class CompleteDeviceCommandPayload:
    command: OperatorDeviceCommand | None = None
    errors: list[UserError]


@strawberry.type
class Mutation:
    @mutation(
        description="Report the outcome of a SENT device command: DONE or FAILED, shown to "
        "the customer at once. The same outcome again changes nothing; the other one is "
        "COMMAND_ALREADY_COMPLETED (scope provisioning:write).",
        permission_classes=[requires(Scope.PROVISIONING_WRITE)],
    )
    async def complete_device_command(
        self, info: OperatorInfo, input: CompleteDeviceCommandInput
    ) -> CompleteDeviceCommandPayload:
        row = await provisioning.complete(
            info.context.settings,
            input.id,
            input.status,
            detail=input.detail,
            code=input.reason_code,
            writer=info.context.key.name,
            meta=info.context.meta,
        )
        return CompleteDeviceCommandPayload(
            command=OperatorDeviceCommand.from_model(row), errors=[]
        )
