"""The catalog domain: vendors, models, their prices and availability, and who uses them."""

from catalog.models.adoptions import Adoption
from catalog.models.ai_models import AIModel, Specialty
from catalog.models.approvals import ApprovalRequest
from catalog.models.evaluations import Evaluation
from catalog.models.flags import PriceFlag
from catalog.models.notices import LifecycleNotice, SuccessorReviewAsk
from catalog.models.observations import AvailabilityCheck, PriceObservation
from catalog.models.vendors import Vendor

__all__ = [
    "AIModel",
    "Adoption",
    "ApprovalRequest",
    "AvailabilityCheck",
    "Evaluation",
    "LifecycleNotice",
    "PriceFlag",
    "PriceObservation",
    "Specialty",
    "SuccessorReviewAsk",
    "Vendor",
]
