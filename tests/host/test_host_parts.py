"""The host's parts without a server: arguments read against an inputSchema, the answers given from flags
(form and URL-mode elicitation, sampling), the chat-completions body, the state file written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.host.display import Screen
from harness.host.form import HostAnswers, parse_elicit
from harness.host.picker import arguments_from_flags, coerce, missing_required
from harness.host.sampling import SamplingSource, chat_request, chat_url, parse_source
from harness.host.state import HostState, load_history, load_state

SCHEMA = {"type": "object", "required": ["steps"], "properties": {
    "steps": {"type": "integer", "minimum": 1, "maximum": 50}, "mode": {"type": "string", "enum": ["fast", "slow"]},
    "dry": {"type": "boolean", "default": False}, "tags": {"type": "array"}}}


def test_arguments_are_read_as_the_schema_types() -> None:
    got = arguments_from_flags('{"mode": "fast"}', ["steps=3", "dry=yes", 'tags=["a"]'], SCHEMA)
    assert got == {"mode": "fast", "steps": 3, "dry": True, "tags": ["a"]}
    assert missing_required(SCHEMA, {}) == ["steps"] and missing_required(SCHEMA, got) == []


@pytest.mark.parametrize("pair, message", [("steps=many", "--arg steps=many"), ("steps=99", "at most 50"),
                                           ("mode=medium", "one of fast, slow"), ("steps", "expected NAME=VALUE")])
def test_a_bad_arg_is_a_usage_error(pair: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        arguments_from_flags(None, [pair], SCHEMA)


def test_bad_args_json_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--args: not JSON"):
        arguments_from_flags("{", [], SCHEMA)
    with pytest.raises(UsageError, match="--args: expected a JSON object"):
        arguments_from_flags("[1]", [], SCHEMA)
    with pytest.raises(ValueError):
        coerce("maybe", {"type": "boolean"})


@pytest.mark.anyio
async def test_answers_from_flags_form_url_and_sampling() -> None:
    screen = Screen(interactive=False)
    answers = HostAnswers(screen, elicit=parse_elicit('accept:{"confirm": false}'),
                          source=parse_source("scripted:four", None, None, interactive=False))
    form = {"message": "ok?", "requestedSchema": {"properties": {"confirm": {"type": "boolean"}}}}
    await answers.before("elicitation/create", form)
    assert answers.answer("elicitation/create", form) == ("result", {"action": "accept", "content":
                                                                     {"confirm": False}}, "accept")
    url = {"mode": "url", "message": "sign in", "url": "https://example.test/auth", "elicitationId": "e1"}
    await answers.before("elicitation/create", url)
    assert answers.answer("elicitation/create", url) == ("result", {"action": "accept"}, "url-accept")
    ask = {"messages": [{"role": "user", "content": {"type": "text", "text": "2+2?"}}], "maxTokens": 5}
    await answers.before("sampling/createMessage", ask)
    kind, obj, _ = answers.answer("sampling/createMessage", ask)
    assert kind == "result" and obj["content"]["text"] == "four"
    refusing = HostAnswers(screen, elicit=parse_elicit("decline"), source=parse_source(None, None, None,
                                                                                       interactive=False))
    await refusing.before("sampling/createMessage", ask)
    assert refusing.answer("sampling/createMessage", ask)[0] == "error"
    await refusing.before("elicitation/create", form)
    assert refusing.answer("elicitation/create", form)[1] == {"action": "decline"}


def test_the_chat_completions_body() -> None:
    params = {"systemPrompt": "be brief", "maxTokens": 20, "temperature": 0.2, "messages": [
        {"role": "user", "content": {"type": "text", "text": "hi"}},
        {"role": "assistant", "content": [{"type": "text", "text": "hello"}, {"type": "image", "data": "x"}]}]}
    body = chat_request(params, "m")
    assert body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"},
                                {"role": "assistant", "content": "hello\n[image content]"}]
    assert body["max_tokens"] == 20 and body["temperature"] == 0.2 and body["model"] == "m"
    assert chat_url("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert chat_url("http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions"
    assert parse_source(None, "http://h:1/v1", "m", interactive=True) == SamplingSource("endpoint", endpoint=
                                                                                        "http://h:1/v1", model="m")
    with pytest.raises(UsageError, match="needs --sampling-model"):
        parse_source(None, "http://h:1/v1", None, interactive=True)


def test_the_state_file_is_replaced_whole_and_a_torn_history_line_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    st = HostState(target="http://a/mcp", upstream="http://a/mcp", revision="2025-11-25", tool="t", arguments={},
                   history=str(tmp_path / "h.jsonl"))
    st.save(path)
    st.last_event_id = "e-7"
    st.save(path)
    assert load_state(path).last_event_id == "e-7" and not list(tmp_path.glob(".*.tmp"))
    (tmp_path / "h.jsonl").write_text(json.dumps({"kind": "note", "text": "one"}) + "\n" + '{"kind": "no')
    assert [r.text for r in load_history(tmp_path / "h.jsonl")] == ["one"]  # type: ignore[union-attr]
    path.write_text("{}")
    with pytest.raises(UsageError, match="not a `faultline call` state file"):
        load_state(path)
