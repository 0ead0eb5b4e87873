"""The petition services (STYLE B4): intake, and the workflow from triage to the rating.

The review cycle (daily, weekly, monthly, quarterly) lives in petitions/review.py.
"""

from petitions.services.additions import add_to_petition  # noqa: F401
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
    answer_info_request,
    answer_petition,
    ask_enterprise,
    ask_extension,
    close_info_request,
    decide_extension,
    dispatch_petition,
    info_request_deadline,
    merge_petition,
    rate_petition,
    record_department_reply,
    record_progress,
    record_return_visit,
    reject_petition,
    return_petition,
    send_back_reply,
    sign_petition,
)
