"""`POST /api/ask`: the assistant's answer as JSON."""

import time

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from api.deps import AssistantDep
from api.schemas.ask import AskRequest, AskResponse, CitationOut, PassageOut
from bot.assistant import format_answer
from index.holder import IndexMissing

router = APIRouter(prefix="/api", tags=["ask"])


@router.post("/ask", response_model=AskResponse)
async def ask(body: AskRequest, assistant: AssistantDep) -> AskResponse:
    started = time.perf_counter()
    try:
        answer = await run_in_threadpool(assistant.ask, body.question)
    except IndexMissing as error:
        raise HTTPException(status_code=503, detail=str(error)) from None
    return AskResponse(
        question=answer.question,
        answer=answer.summary,
        citations=[CitationOut(**c.as_dict()) for c in answer.citations],
        next_step=answer.action.value if answer.action else None,
        confident=answer.confident,
        card_id=answer.card_id,
        message=format_answer(answer),
        passages=[
            PassageOut(kind=h.passage.kind, id=h.passage.id, title=h.passage.title, score=round(h.score, 4))
            for h in answer.passages
        ],
        elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
    )
