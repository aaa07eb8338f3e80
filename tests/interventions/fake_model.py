"""A fake OpenAI-compatible server for the SDK's HTTP client: realistic chat.completions answers,
errors and timeouts, with every request kept for assertions. Nothing reaches the network."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


def completion_response(
    content: dict[str, Any] | str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx2.Response:
    """A chat.completions answer as the API sends it; `content` is the model's JSON text."""
    text = json.dumps(content) if isinstance(content, dict) else content
    return httpx2.Response(
        200,
        headers=headers,
        json={
            "id": "chatcmpl-9xYzAbC123",
            "object": "chat.completion",
            "created": 1759320000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": refusal, "annotations": []},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 812, "completion_tokens": 96, "total_tokens": 908},
            "system_fingerprint": "fp_44709d6fcb",
        },
    )


def error_response(status: int, message: str, **headers: str) -> httpx2.Response:
    return httpx2.Response(
        status,
        headers=headers,
        json={"error": {"message": message, "type": "server_error", "param": None, "code": None}},
    )


class FakeModelServer:
    """Answers each request with the next reply (the last one repeats) and keeps the requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request) if callable(reply) else reply

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def body(self, index: int = -1) -> dict[str, Any]:
        return json.loads(self.requests[index].content)

    def prompt(self, role: str, index: int = -1) -> str:
        return next(message["content"] for message in self.body(index)["messages"] if message["role"] == role)
