"""What one container's file system holds of the repository.

A Dockerfile's final stage and a compose service's mounts each put
repository paths at deployed paths, in order: a later `COPY` or a mount
shadows an earlier one, and `RUN rm` removes what was there before it.
`Container` keeps those events in order, with the environment the server
starts with (the nginx image's template variables) and what the reader
could not follow (notices, shown with file:line).
"""

from __future__ import annotations

import fnmatch
import os

from ..mapping import Mapping
from ..record import field, record


@record
class Container:
    #: (mapping, its position among the events)
    mappings: list[tuple[Mapping, int]] = field(default_factory=list)
    #: (deployed glob removed, its position)
    removals: list[tuple[str, int]] = field(default_factory=list)
    env: dict = field(default_factory=dict)
    #: (path shown, "line N: message"): what corslint cannot follow
    notices: list = field(default_factory=list)   # InputError: what cannot be followed, at its line
    events: int = 0

    def add(self, mapping: Mapping) -> None:
        self.events += 1
        self.mappings.append((mapping, self.events))

    def remove(self, glob: str) -> None:
        self.events += 1
        self.removals.append((os.path.normpath(glob), self.events))

    def copy(self) -> Container:
        return Container(list(self.mappings), list(self.removals), dict(self.env), list(self.notices), self.events)

    def removed(self, deployed: str, mapping: Mapping) -> bool:
        """Whether the deployed path, put there by `mapping`, was removed
        after (`RUN rm -rf /etc/nginx/conf.d/*` before a `COPY` keeps what
        the COPY brings)."""
        at = next((index for m, index in self.mappings if m is mapping), 0)
        return any(index > at and (fnmatch.fnmatchcase(deployed, glob) or deployed.startswith(glob.rstrip("/") + "/"))
                   for glob, index in self.removals)

    def current(self) -> list[Mapping]:
        """The mappings in effect, the later of two with the same target winning."""
        latest: dict[str, Mapping] = {}
        for mapping, _index in self.mappings:
            latest.pop(mapping.target, None)
            latest[mapping.target] = mapping
        return list(latest.values())


def source_problem(source: str, root: str) -> str | None:
    """Why a repository path a mount or COPY names is not read (it leaves the
    configuration root `root`: `../../etc` in a compose file is the
    checkout's author's choice, not the user's; or it does not exist), or
    None.  Reads of the files below it go through `confine` as any other."""
    from ..confine import inside, real_path

    if not inside(source, root):
        return (f"not read: {source} is outside the configuration root {real_path(root)} (a mount or COPY source "
                f"must lie in the repository; --root DIR widens the root)")
    if not os.path.exists(source):
        return f"not found: {source} does not exist in the repository"
    return None
