"""Stages 2 to 4: index and summarise each file, link the project, confirm the candidates.

- **index** (``index``, ``expressions``, ``guards``): one ``ast`` walk per file records bindings,
  classes and calls;
- **summarise** (``resolve``, ``summary``): calls resolved to qualified names, what needs other
  modules kept as deferred expressions;
- **project** (``project``, ``match``, ``transitive``): deferred expressions finished across
  modules, calls matched against the catalogue, sync helpers followed to the blocking call;
- **confirm** (``checker``, ``confirm``): libcst re-walks the coroutines that hold a candidate.

``stages`` holds the values passed between them and the per-file steps.
"""
