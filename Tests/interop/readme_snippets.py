"""The README's tested Python blocks: each follows a line `<!-- tested: NAME -->`.

The checkers run the README's own code, so a snippet that goes wrong fails a test.
"""
import re

MARK = re.compile(r"<!-- tested: ([\w-]+) -->\n```python\n(.*?)```", re.S)


def snippets(readme_path):
    with open(readme_path, encoding="utf-8") as f:
        found = dict(MARK.findall(f.read()))
    if not found:
        raise SystemExit(f"{readme_path}: no `<!-- tested: NAME -->` python blocks")
    return found


def load(readme_path, name):
    """Runs the block `name` and returns its namespace (its functions and classes)."""
    blocks = snippets(readme_path)
    if name not in blocks:
        raise SystemExit(f"{readme_path}: no tested block '{name}' (found {sorted(blocks)})")
    namespace = {"__name__": f"readme_{name.replace('-', '_')}"}
    exec(compile(blocks[name], f"README.md [{name}]", "exec"), namespace)
    return namespace
