"""travel_agent: progress steps, then a form elicitation to confirm the price, then the booking.

2025-11-25: the elicitation is a live `elicitation/create` on the call's own SSE stream.
2026-07-28: the first round returns an `InputRequiredResult` (key `confirm_price`); the retry
carries the answer in `inputResponses` and the booking in the (sealed) `requestState`.
The booking is a record (`travel://bookings/{id}`) whose status only moves forward:
pending -> awaiting_confirmation -> confirmed | cancelled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp_types import (
    CallToolResult,
    ElicitRequest,
    ElicitRequestFormParams,
    ElicitResult,
    InputRequiredResult,
)

from reference_agents.runtime import BOOKING_URI, AgentRuntime, is_modern, load_state, new_id, result

TOTAL = 5
KEY = "confirm_price"
Progress = Callable[[float, float | None, str | None], Awaitable[None]]
SCHEMA = {
    "type": "object",
    "properties": {
        "confirm": {"type": "boolean", "title": "Confirm", "description": "Book at this price?"},
        "notes": {"type": "string", "title": "Notes", "description": "Anything the agent should know"},
    },
    "required": ["confirm"],
}


def price_for(destination: str) -> int:
    return 200 + int(hashlib.sha256(destination.encode()).hexdigest()[:4], 16) % 800


def question(destination: str, price: int) -> str:
    return f"Book the trip to {destination} for ${price}?"


def register(mcp: MCPServer, rt: AgentRuntime) -> None:
    @mcp.tool(description="Plan and book a trip: progress, then asks you to confirm the price. "
                          "`idempotency_key`: a re-sent call with the same key continues the same booking "
                          "(a confirmed one is returned as it is).")
    async def travel_agent(destination: str, ctx: Context, travellers: int = 1, budget: int = 0, dates: str = "",
                           idempotency_key: str = "") -> CallToolResult | InputRequiredResult:
        caps = ctx.client_capabilities
        if caps is None or caps.elicitation is None:
            raise ToolError("travel_agent must confirm the price with the user, but this client did not "
                            "declare the elicitation capability; no booking was made")
        state = load_state(ctx) if is_modern(ctx) else None
        if state is not None:  # 2026 retry round
            answer = (ctx.input_responses or {}).get(KEY)
            if not isinstance(answer, ElicitResult):  # the answer is missing: ask again (MRTR § Error Handling)
                return _ask(state["booking_id"], state["destination"], state["price"])
            return await finish(rt, ctx.report_progress, state["booking_id"], state["destination"], state["price"],
                                 answer)

        trip = Trip(destination, travellers, budget, dates)
        booking_id = booking_id_for(idempotency_key) if idempotency_key else new_id()
        done = await start_booking(rt, booking_id, trip)
        if done is not None:
            return done
        for i, message in enumerate(search_steps(booking_id, destination), start=1):
            await ctx.report_progress(i, TOTAL, message)
            await rt.step()
        price = price_for(destination)
        await rt.save("booking", booking_id, "awaiting_confirmation", price=price)
        if is_modern(ctx):
            return _ask(booking_id, destination, price)
        try:
            answer = await ctx.session.send_request(  # a lost answer ends the wait (2025 lifecycle § Timeouts)
                confirm_request(destination, price), ElicitResult,
                request_read_timeout_seconds=rt.behaviour.elicitation_timeout(),
                metadata=ServerMessageMetadata(related_request_id=ctx.request_id))
        except MCPError as exc:
            return await could_not_ask(rt, booking_id, exc)
        return await finish(rt, ctx.report_progress, booking_id, destination, price, answer)


@dataclass(frozen=True)
class Trip:
    """The user's context for a booking."""

    destination: str
    travellers: int = 1
    budget: int = 0
    dates: str = ""


def booking_id_for(idempotency_key: str) -> str:
    return "b" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:11]


def search_steps(booking_id: str, destination: str) -> list[str]:
    uri = BOOKING_URI.format(id=booking_id)
    return [f"booking {uri}: searching flights to {destination}", f"comparing hotels in {destination}",
            "checking availability", f"best price found: ${price_for(destination)}"]


async def start_booking(rt: AgentRuntime, booking_id: str, trip: Trip) -> CallToolResult | None:
    """Create the booking (pending), or find it again for a re-sent call: a finished booking is answered
    as it is (None: go on with the booking)."""
    old = rt.storage.get_record("booking", booking_id)
    if old is not None and old.status in ("confirmed", "cancelled"):
        return booking_result(old.id, old.status, old.data)
    if old is None:
        await rt.save("booking", booking_id, "pending", destination=trip.destination, uri=BOOKING_URI.format(id=booking_id),
                      travellers=trip.travellers, budget=trip.budget, dates=trip.dates)
    return None


def booking_result(booking_id: str, status: str, data: dict[str, Any]) -> CallToolResult:
    uri = BOOKING_URI.format(id=booking_id)
    destination, price = data.get("destination"), data.get("price")
    context: dict[str, Any] = {k: data[k] for k in ("travellers", "budget", "dates") if k in data}
    if status == "confirmed":
        return result(f"Booked: {destination} for ${price} (booking {booking_id}, {uri}).",
                      structured={"booking_id": booking_id, "status": status, "destination": destination,
                                  "price": price, "uri": uri, **context},
                      link=(uri, f"booking-{booking_id}"))
    why = data.get("reason", "cancelled")
    return result(f"Booking {booking_id} to {destination} was cancelled by the user: {REASONS.get(why, why)}.",
                  structured={"booking_id": booking_id, "status": "cancelled", "reason": why,
                              "destination": destination, "price": price, **context})


REASONS = {"not confirmed": "the user did not confirm the price", "declined": "the user declined the price "
           "confirmation", "cancelled": "the user cancelled the confirmation"}


async def could_not_ask(rt: AgentRuntime, booking_id: str, exc: MCPError) -> CallToolResult:
    """The client could not put the question to the user: the booking is cancelled, an isError result."""
    await rt.save("booking", booking_id, "cancelled", reason="elicitation failed")
    return result(f"Booking {booking_id} cancelled: the client could not ask the user "
                  f"(error {exc.error.code}: {exc.error.message}).",
                  structured={"booking_id": booking_id, "status": "cancelled", "reason": "elicitation failed"},
                  is_error=True)


def confirm_request(destination: str, price: int) -> ElicitRequest:
    """The form elicitation that asks the user to confirm the price."""
    return ElicitRequest(params=ElicitRequestFormParams(message=question(destination, price), requested_schema=SCHEMA))


def _ask(booking_id: str, destination: str, price: int) -> InputRequiredResult:
    request = confirm_request(destination, price)
    state = json.dumps({"booking_id": booking_id, "destination": destination, "price": price})
    return InputRequiredResult(input_requests={KEY: request}, request_state=state)


async def finish(rt: AgentRuntime, progress: Progress, booking_id: str, destination: str, price: int,
                  answer: ElicitResult) -> CallToolResult:
    content = answer.content or {}
    if answer.action == "accept" and content.get("confirm") is True:
        await progress(TOTAL, TOTAL, f"booking {booking_id} confirmed")
        rec = await rt.save("booking", booking_id, "confirmed", notes=content.get("notes"))
        return booking_result(booking_id, rec.status, rec.data)
    await rt.behaviour.after_booking_declined()
    why = "not confirmed" if answer.action == "accept" else ("declined" if answer.action == "decline" else "cancelled")
    await progress(TOTAL, TOTAL, f"booking {booking_id} cancelled")
    rec = await rt.save("booking", booking_id, "cancelled", reason=why)
    return booking_result(booking_id, "cancelled", rec.data)
