"""Mutations of the devices domain: resetting a decoder's parental PIN."""

from __future__ import annotations

import strawberry

from backend.schema.context import Info
from backend.schema.devices.types import DeviceCommand
from backend.schema.errors import UserError
from backend.schema.mutation import mutation
from backend.schema.permissions import IsAuthenticated
from backend.schema.relay import decode_id
from backend.services import devices


@strawberry.input
class ResetDecoderPinInput:
    device_id: strawberry.ID


@strawberry.type
class ResetDecoderPinPayload:
    command: DeviceCommand | None = strawberry.field(
        default=None, description="The queued PIN_RESET command; poll node(id) for its status."
    )
    errors: list[UserError]


@strawberry.type
class Mutation:
    @mutation(
        description="Reset the decoder PIN to the factory value (3 times a day per decoder).",
        permission_classes=[IsAuthenticated],
    )
    async def reset_decoder_pin(
        self, info: Info, input: ResetDecoderPinInput
    ) -> ResetDecoderPinPayload:
        ctx = info.context
        command = await devices.reset_decoder_pin(
            ctx.settings,
            ctx.viewer_id,
            decode_id(input.device_id, "Device", field="deviceId"),
            meta=ctx.meta,
        )
        return ResetDecoderPinPayload(command=DeviceCommand.from_model(command), errors=[])
