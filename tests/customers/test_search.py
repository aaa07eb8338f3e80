"""One customer search everywhere: the customer list, the review queue and the admin find the
same customers for what staff type or paste (issue 12: one search, not three)."""

from __future__ import annotations

import pytest

from customers.models import Customer
from customers.selectors import customers_search
from interventions.selectors import QueueFilters, queue_queryset
from tests.factories import make_customer
from tests.interventions.test_services import draft, troubled_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Customer]:
    return {
        "madhavi": troubled_customer(
            customer_id="C100042", first_name="Madhavi", last_name="Bedi", email="madhavi.bedi@example.in"
        ),
        "maddox": troubled_customer(
            customer_id="C100771", first_name="Maddox", last_name="Bennett", email="mbennett@example.com"
        ),
        "omar": troubled_customer(customer_id="C200001", first_name="Omar", last_name="Haddad", email="oh@example.org"),
    }


# What staff type -> whom it must find (and nobody else).
SEARCHES = [
    ("Madhavi Bedi", {"madhavi"}),  # a pasted full name: every word must match
    ("madhavi bedi", {"madhavi"}),
    ("Bedi Madhavi", {"madhavi"}),
    ("Madd", {"maddox"}),
    ("mad", {"madhavi", "maddox"}),
    ("bedi@example", {"madhavi"}),  # part of an email
    ("example.in", {"madhavi"}),
    ("C100042", {"madhavi"}),  # an id
    ("c100042", {"madhavi"}),
    ("C1000", {"madhavi"}),  # an id prefix: C100000 to C100099
    ("C100", {"madhavi", "maddox"}),
    ("C2", {"omar"}),
    ('"Omar Haddad"', set()),  # a quoted phrase stays one word, and no single field holds it
    ("Haddad", {"omar"}),
    ("Madhavi Haddad", set()),  # words of two different customers find neither
    ("nobody", set()),
]


def _found(people: dict[str, Customer], ids: set[str]) -> set[str]:
    return {name for name, customer in people.items() if customer.pk in ids}


@pytest.mark.parametrize(("term", "expected"), SEARCHES)
def test_the_customer_list_finds_what_staff_type(people, term, expected) -> None:
    assert _found(people, set(customers_search(term).values_list("pk", flat=True))) == expected


@pytest.mark.parametrize(("term", "expected"), SEARCHES)
def test_the_review_queue_finds_the_same_customers(people, term, expected) -> None:
    for customer in people.values():
        draft(customer)
    rows = queue_queryset(QueueFilters(search=term))
    assert _found(people, set(rows.values_list("customer_id", flat=True))) == expected


@pytest.mark.parametrize(("term", "expected"), SEARCHES)
def test_the_admin_finds_the_same_customers(people, admin_client, term, expected) -> None:
    make_customer(customer_id="C900000", first_name="Zed", email="zed@example.com")  # never found above
    response = admin_client.get("/admin/customers/customer/", {"q": term})
    assert response.status_code == 200
    listed = {customer.pk for customer in response.context["cl"].result_list}
    assert _found(people, listed) == expected
    assert "C900000" not in listed
