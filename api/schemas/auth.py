"""The bearer token of `POST /api/auth/token`."""

from pydantic import BaseModel

from api.schemas.times import Moment


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: Moment
