"""run_demo: the five scenarios through the pipeline."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from demo.scenarios import SCENARIOS
from interventions.language import detect_text_language
from interventions.models import Intervention

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline")]


def test_run_demo_prints_all_five_scenarios_and_keeps_each_as_an_intervention(shop, capsys) -> None:
    call_command("run_demo", "--seed", "7")
    output = capsys.readouterr().out
    assert "Agent backend: offline backend" in output
    for number, scenario in enumerate(SCENARIOS, start=1):
        assert f"Scenario {number}: {scenario.name}" in output
        assert scenario.customer_text in output
    for heading in ("Customer ", "Language ", "Patterns", "Decision ", "Escalate ", "Message ", "Empathy "):
        assert output.count(heading) >= 5, heading
    demo = Intervention.objects.filter(origin="demo")
    assert sorted(demo.values_list("scenario", flat=True)) == sorted(scenario.name for scenario in SCENARIOS)
    assert demo.values("customer").distinct().count() == 5
    for intervention in demo:
        assert f"Intervention {intervention.pk} (new), pending review." in output


def test_run_demo_answers_a_bengali_speaker_in_bengali(shop, capsys) -> None:
    call_command("run_demo", "--seed", "7", "--count", "2")
    delay = Intervention.objects.get(scenario="loyal_order_delay")
    assert delay.customer.language == "bn"
    assert delay.language == "bn"
    assert detect_text_language(delay.body).code == "bn"
    assert "Bengali" in capsys.readouterr().out


def test_run_demo_with_the_same_seed_picks_the_same_customers_and_updates_its_drafts(shop, capsys) -> None:
    call_command("run_demo", "--seed", "3", "--count", "3")
    first = dict(Intervention.objects.values_list("scenario", "customer_id"))
    call_command("run_demo", "--seed", "3", "--count", "3")
    assert dict(Intervention.objects.values_list("scenario", "customer_id")) == first
    assert Intervention.objects.count() == 3
    assert "(updated), pending review." in capsys.readouterr().out


def test_run_demo_picks_customers_by_the_scenarios_segment(shop) -> None:
    call_command("run_demo", "--seed", "11")
    segments = dict(Intervention.objects.values_list("scenario", "customer__segment"))
    assert segments == {scenario.name: scenario.segment for scenario in SCENARIOS}


@pytest.mark.parametrize("count", ["0", "6"])
def test_run_demo_refuses_a_count_outside_one_to_five(count) -> None:
    with pytest.raises(CommandError, match="--count must be between 1 and 5"):
        call_command("run_demo", "--count", count)


def test_run_demo_on_an_empty_database_says_to_import_first() -> None:
    assert not Customer.objects.exists()
    with pytest.raises(CommandError, match="import a workbook first"):
        call_command("run_demo")
