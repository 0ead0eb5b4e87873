"""The petition services (STYLE B4): intake, and the workflow from triage to the rating.

The review cycle (daily, weekly, monthly, quarterly) lives in petitions/review.py.
"""

from petitions.services.instructions import (  # noqa: F401
    INSTRUCTION_MAX_LENGTH,
    write_instruction,
)
from petitions.services.intake import (  # noqa: F401
    MAX_ATTACHMENTS,
    BatchRow,
    attach_files,
    enter_batch,
    petition_from_duty_log,
    submit_guest_petition,
    submit_petition,
)
from petitions.services.workflow import (  # noqa: F401
    ALLOWED,
    PetitionError,
    accept_petition,
    add_note,
    answer_petition,
    dispatch_petition,
    merge_petition,
    rate_petition,
    record_department_reply,
    record_progress,
    reject_petition,
    return_petition,
    send_back_reply,
    sign_petition,
)
