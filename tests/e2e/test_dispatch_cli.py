"""`kerbside seed --demo` and `kerbside dispatch rebuild-index` against the test servers."""

from click.testing import CliRunner

from kerbside.cli import main
from kerbside.seed import demo_people, people_table


def test_seed_demo_then_rebuild_the_geo_index(platform):
    runner = CliRunner()
    seeded = runner.invoke(main, ["seed", "--demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "operators=30" in seeded.output
    # It prints the demo people, the table the README shows.
    assert seeded.output.rstrip().endswith(people_table(demo_people()))
    assert "| +27725550000 | Thabo Mokoena    | operator          | en       |" in seeded.output
    platform.redis.flushdb()
    rebuilt = runner.invoke(main, ["dispatch", "rebuild-index"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.output.strip().splitlines()[-1] == "indexed 26 online operators"
    assert len(platform.operator_index.near(-26.1076, 28.0567, 25, 100)) >= 8
