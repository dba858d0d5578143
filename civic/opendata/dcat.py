"""The open-data catalogue in the shape of DCAT-AP_IT (the Italian profile of DCAT-AP)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import force_locale, gettext

from .datasets import DATASETS, LICENSE_URL


def _in_both(english: str) -> list[dict[str, str]]:
    """A text in Italian (the catalogue's translation) and in English (as written)."""
    with force_locale("it"):
        italian = gettext(english)
    return [{"@value": italian, "@language": "it"}, {"@value": english, "@language": "en"}]


def catalog(
    city: str, url: Callable[..., str], closed_votes: list[tuple[str, int, str]]
) -> dict[str, Any]:
    """The catalogue: each dataset with its CSV and JSON, and the ballots of closed votes."""
    publisher = {"@type": "foaf:Agent", "foaf:name": city}
    datasets: list[dict[str, Any]] = []
    for name, dataset in DATASETS.items():
        datasets.append(
            {
                "@type": "dcatapit:Dataset",
                "@id": url("opendata.index") + f"#{name}",
                "dct:identifier": f"civic:{name}",
                "dct:title": _in_both(dataset.title),
                "dct:description": _in_both(dataset.description),
                "dct:publisher": publisher,
                "dct:rightsHolder": publisher,
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/CONT"
                },
                "dcat:theme": {
                    "@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE"
                },
                "dcat:distribution": [
                    {
                        "@type": "dcatapit:Distribution",
                        "dct:format": {
                            "@id": f"http://publications.europa.eu/resource/authority/"
                            f"file-type/{kind.upper()}"
                        },
                        "dcat:mediaType": media,
                        "dcat:accessURL": {"@id": url(endpoint, name=name)},
                        "dct:license": {"@id": LICENSE_URL},
                    }
                    for kind, media, endpoint in (
                        ("csv", "text/csv", "opendata.download_csv"),
                        ("json", "application/json", "opendata.download_json"),
                    )
                ],
            }
        )
    ballots = [
        {
            "@type": "dcatapit:Distribution",
            "dct:title": f"{title}, Municipio {area_id} (.pb)",
            "dct:format": {"@id": "http://publications.europa.eu/resource/authority/file-type/TXT"},
            "dcat:mediaType": "text/plain",
            "dcat:accessURL": {"@id": url("voting.download_pb", slug=slug, area_id=area_id)},
            "dct:license": {"@id": LICENSE_URL},
        }
        for slug, area_id, title in closed_votes
    ]
    datasets.append(
        {
            "@type": "dcatapit:Dataset",
            "@id": url("opendata.index") + "#ballots",
            "dct:identifier": "civic:ballots",
            "dct:title": [{"@value": "Schede delle votazioni chiuse", "@language": "it"}],
            "dct:description": [
                {
                    "@value": "Anonymous ballots of closed votes in the Pabulib format (.pb).",
                    "@language": "en",
                }
            ],
            "dct:publisher": publisher,
            "dcat:distribution": ballots,
        }
    )
    payload = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "dcatapit": "http://dati.gov.it/onto/dcatapit#",
        },
        "@type": "dcatapit:Catalog",
        "@id": url("opendata.catalog"),
        "dct:title": [{"@value": f"Dati aperti della partecipazione · {city}", "@language": "it"}],
        "dct:publisher": publisher,
        "dct:license": {"@id": LICENSE_URL},
        "dcat:dataset": datasets,
    }
    return payload
