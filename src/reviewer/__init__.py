"""reviewer: rubric-based feedback on residency-application drafts of International Medical Graduates.

Importing the package is cheap on purpose: the CLI's start-up must not pay for python-docx, pysbd,
pypdf or LangChain. Heavy modules are imported by the stage that needs them.
"""

__version__ = "0.1.0"
