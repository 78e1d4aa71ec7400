"""reportlib: council complaints-handling reports for scrutiny committees.

Data flows one way: ``params`` (the meeting's params file) and ``casedata``
(the case-log export) feed the pure layer (``workdays``, ``periods``,
``stats``, ``narrative``, ``charts``); ``render`` and ``run`` turn an executed
notebook into the committee paper. See README.md.
"""

__version__ = "0.1.0"
