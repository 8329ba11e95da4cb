"""ipam/__init__.pyi names exactly what the package has: the names of
__all__, the public members of each class, and the parameters of each
function and method."""

import ast
import inspect
import pathlib

import ipam

STUB = pathlib.Path(ipam.__file__).with_name("__init__.pyi")


def stub_tree():
    tree = ast.parse(STUB.read_text())
    names, classes = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets)
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
            classes[node.name].update({n.target.id: n for n in node.body if isinstance(n, ast.AnnAssign)})
        elif isinstance(node, ast.FunctionDef):
            classes.setdefault("", {})[node.name] = node
    return names, classes


def params(fn):
    a = fn.args
    out = [x.arg for x in a.posonlyargs + a.args]
    out += ["*" + a.vararg.arg] if a.vararg else []
    out += [x.arg for x in a.kwonlyargs]
    out += ["**" + a.kwarg.arg] if a.kwarg else []
    return [p for p in out if p != "self"]


def runtime_params(obj):
    out = []
    for p in inspect.signature(obj).parameters.values():
        if p.name == "self":
            continue
        out.append({p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name)
    return out


def test_stub_names_everything_public():
    names, classes = stub_tree()
    assert set(ipam.__all__) <= names, set(ipam.__all__) - names
    assert {n for n in names if not n.startswith("_")} <= set(ipam.__all__) | {"capi"}


def test_stub_classes_and_signatures():
    _, classes = stub_tree()
    assert params(classes[""]["open"]) == runtime_params(ipam.open)
    checked = 0
    for cname, members in classes.items():
        if not cname or not inspect.isclass(getattr(ipam, cname)) or issubclass(getattr(ipam, cname), tuple):
            continue
        cls = getattr(ipam, cname)
        if issubclass(cls, Exception):
            # what the class itself defines (code and name are set on every subclass)
            public = {n for n in vars(cls) if not n.startswith("_")}
            if cls is not ipam.Error:
                public -= {"code", "name"}
        else:
            public = {n for n in dir(cls) if not n.startswith("_")}
        stubbed = {n for n in members if not n.startswith("_")}
        assert public == stubbed, (cname, public ^ stubbed)
        for name, fn in members.items():
            if isinstance(fn, ast.AnnAssign):
                continue
            attr = inspect.getattr_static(cls, name)
            if isinstance(attr, property) or name == "__init__" and cls is not ipam.Error:
                continue
            target = getattr(cls, name)
            if name == "transaction":  # a contextmanager: the wrapper keeps the signature
                target = inspect.unwrap(target)
            assert params(fn) == runtime_params(target), (cname, name)
            checked += 1
    assert checked > 40


def test_namedtuples_match():
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "NamedTuple" for b in node.bases):
            fields = [n.target.id for n in node.body if isinstance(n, ast.AnnAssign)]
            assert tuple(fields) == getattr(ipam, node.name)._fields, node.name
