"""The LLM layer: narrative contradictions with verified quotes, and fallback extraction.

The only package that imports openai and instructor. Findings it adds carry
``source="llm"``; it never removes or changes a rule finding.
"""

from auditor.narrative.client import Backoff
from auditor.narrative.contradiction import review_narrative
from auditor.narrative.fallback import extract_with_llm, fallback_extract

__all__ = ["Backoff", "extract_with_llm", "fallback_extract", "review_narrative"]
