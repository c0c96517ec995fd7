"""Batch tagging at scale: chunked, resumable, on this machine or a Dask cluster.

- :func:`run_tag_job` streams inputs in chunks, tags them and writes one Parquet file;
- :class:`TagSpec` names the models every chunk is tagged with;
- :func:`make_engine` picks where chunks run (``local`` or ``dask``).
"""

from cxtext.batch.chunks import ChunkDone, TagSpec, serving_models, tag_chunk
from cxtext.batch.engines import DaskEngine, Engine, LocalEngine, make_engine
from cxtext.batch.inputs import resolve_inputs
from cxtext.batch.job import JobSummary, run_tag_job, work_folder

__all__ = [
    "ChunkDone",
    "DaskEngine",
    "Engine",
    "JobSummary",
    "LocalEngine",
    "TagSpec",
    "make_engine",
    "resolve_inputs",
    "run_tag_job",
    "serving_models",
    "tag_chunk",
    "work_folder",
]
