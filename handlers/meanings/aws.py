"""AWS Signature Version 4 errors as `explain` topics (`SignatureDoesNotMatch`,
`RequestTimeTooSkewed`, …).
"""

from __future__ import annotations

from handlers.meanings.explanation import HEADER, PROBE, Explanation

AWS: tuple[Explanation, ...] = (
    Explanation(
        key="signaturedoesnotmatch",
        aliases=("signature does not match", "the request signature we calculated"),
        title="AWS `SignatureDoesNotMatch`: the SigV4 signature differs from AWS's",
        meaning=(
            "AWS (403) recomputed the signature and got another one: either the secret key is "
            "wrong or the request that arrived differs from the one that was signed."
        ),
        causes=(
            "The secret access key does not belong to the access key id, or has whitespace",
            "A proxy changed headers, path or query after signing",
            "Wrong region or service in the credential scope, or path/query encoded differently",
        ),
        fix="Re-check the key pair and sign the exact request that is sent.",
        next_steps=(HEADER, PROBE),
        status=403,
        related=("requesttimetooskewed", "invalidaccesskeyid"),
    ),
    Explanation(
        key="requesttimetooskewed",
        aliases=("request time too skewed",),
        title="AWS `RequestTimeTooSkewed`: the client's clock is too far off",
        meaning="AWS (403): the request's time differs from AWS's by more than 15 minutes.",
        causes=("No NTP on the client, a paused VM or container, a wrong time zone setting",),
        fix="Synchronise the client's clock; compare it with the `Date` header of a response.",
        next_steps=(PROBE,),
        status=403,
        related=("signaturedoesnotmatch",),
    ),
    Explanation(
        key="invalidaccesskeyid",
        aliases=("invalid access key id",),
        title="AWS `InvalidAccessKeyId`: AWS does not know this access key id",
        meaning="AWS (403): the access key id does not exist in this account or partition.",
        causes=(
            "The key was deleted or rotated",
            "Temporary credentials (`ASIA…`) sent without their session token",
            "A key from another account or partition (China, GovCloud)",
        ),
        fix="Use a current key of the right account, with its session token if temporary.",
        next_steps=(HEADER, PROBE),
        status=403,
        related=("signaturedoesnotmatch",),
    ),
)
