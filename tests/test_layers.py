"""The house stays in shape: core imports no domain, and no module imports another that imports it back."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "isa"


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """Every isa module `path` imports, at the top or inside a function."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("isa"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("isa"):
                continue
            for alias in node.names:  # `from . import rules` names a module; `from .models import X` does not
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in MODULES else module)
    return found - {name}


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: {m for m in _imports(path) if m in MODULES} for name, path in MODULES.items()}


def test_core_imports_no_domain():
    for name, imported in GRAPH.items():
        if name.startswith("isa.core"):
            assert {m for m in imported if not m.startswith(("isa.core", "isa.extensions", "isa.config"))} == set(), name


def test_no_import_cycle():
    """Package `__init__` modules aside (the app factory imports every blueprint on purpose)."""
    graph = {name: {m for m in imported if not MODULES[m].name == "__init__.py"} for name, imported in GRAPH.items()
             if MODULES[name].name != "__init__.py"}
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_importer_reads_the_fields_the_export_writes():
    from isa.agreements import records
    from isa.exchange.schema import fields
    from isa.agreements.schemas import AgreementRecord, PartyRecord
    from isa.channels.schemas import ChannelRecord
    from isa.flows.schemas import FlowRecord
    from isa.organisations.schemas import OrganisationRecord

    assert fields(OrganisationRecord) == records.ORGANISATION_FIELDS
    assert fields(ChannelRecord) == records.CHANNEL_FIELDS
    assert fields(AgreementRecord) == records.AGREEMENT_FIELDS
    assert fields(PartyRecord) == records.PARTY_FIELDS
    assert fields(FlowRecord) == records.FLOW_FIELDS
