"""VO errors say which URL answered, with which HTTP status, and what the service said.

Real HTTP error answers on loopback from the fault server (conftest.py): a VOTable error
document with 400 and with 500, an HTML 500 page, plain-text 503 bodies (one of them a
megabyte long), a hostile reason full of control characters, a hostile status line and
a redirect to an error. pyvo, requests and astropy under test are the real ones.
"""

import time
import unicodedata

import pytest
from astrolearn import vo
from astrolearn.vo.errors import clean
from astrolearn.vo.transport import votable_error

from tests.vo.conftest import ADQL_COMPLAINT, FaultHandler, error_votable

QUERY = "SELECT TOP 20 * FROM gaiadr3.gaia_source"
MAINTENANCE = "Down for maintenance until 14:00 UTC"


pytestmark = pytest.mark.usefixtures("quick_retries")


def _fail(url, kind=vo.VOError):
    with pytest.raises(kind) as caught:
        vo.tap(url).run(QUERY, use_cache=False)
    return caught.value


def _one_clean_line(text: str) -> bool:
    return not any(unicodedata.category(char)[0] == "C" for char in text)


def test_a_rejected_query_carries_the_votable_error_status_and_url(fault_server):
    base = f"{fault_server}/adql400/tap"
    error = _fail(base, vo.ADQLError)
    assert (error.status, error.url) == (400, f"{base}/sync")
    assert error.reason == ADQL_COMPLAINT
    message = str(error)
    assert message.startswith(f"{base} rejected the query [HTTP 400 from {base}/sync;")
    assert ADQL_COMPLAINT in message
    assert FaultHandler.hits["adql400"] == 1  # asking again would get the same


def test_a_votable_error_with_http_500_is_unavailable_and_retried(fault_server):
    error = _fail(f"{fault_server}/votable500/tap", vo.ServiceUnavailableError)
    assert not isinstance(error, vo.ADQLError)
    assert (error.status, error.reason) == (500, "the database went away")
    assert FaultHandler.hits["votable500"] == 2


def test_an_html_error_page_is_summed_up_by_its_reason_phrase(fault_server):
    base = f"{fault_server}/html500/tap"
    error = _fail(base, vo.ServiceUnavailableError)
    assert (error.status, error.reason) == (500, "Internal Server Error")
    assert str(error).startswith(f"{base} failed on its side (try again later) [HTTP 500")
    # The 100 kB page itself is not in the message.
    assert "Traceback" not in str(error) and "<" not in str(error)
    assert len(str(error)) < 500


def test_a_plain_text_error_gives_its_first_line_only(fault_server):
    error = _fail(f"{fault_server}/plain503/tap", vo.ServiceUnavailableError)
    assert (error.status, error.reason) == (503, MAINTENANCE)
    assert MAINTENANCE in str(error) and "second line" not in str(error)


def test_a_megabyte_reason_is_cut(fault_server):
    error = _fail(f"{fault_server}/huge503/tap", vo.ServiceUnavailableError)
    assert error.status == 503
    assert error.reason.startswith("spam spam") and error.reason.endswith("\u2026")
    assert len(error.reason) <= 300
    assert len(str(error)) < 600  # the body was 1 MB


def test_a_hostile_reason_cannot_forge_the_message(fault_server):
    base = f"{fault_server}/hostile400/tap"
    error = _fail(base, vo.ADQLError)
    message = str(error)
    assert _one_clean_line(error.reason) and _one_clean_line(message)
    assert message.startswith(f"{base} rejected the query [HTTP 400")
    # The forged sentence stays inside the quoted reason, after our own words.
    quoted = message.index('the service said: "')
    assert message.index("ADQLError: all is fine") > quoted
    assert message.endswith('"]') and message.count('"') == 2
    assert error.reason.startswith("bad query ADQLError") and error.reason.endswith("& more")


def test_a_hostile_status_line_is_cleaned_and_cut(fault_server):
    error = _fail(f"{fault_server}/phrase502/tap", vo.ServiceUnavailableError)
    assert error.status == 502
    assert error.reason.startswith("Bad [2J Gateway zzz") and len(error.reason) <= 300
    assert _one_clean_line(str(error))


def test_after_a_redirect_the_error_names_the_url_that_failed(fault_server):
    base = f"{fault_server}/redirect/tap"
    error = _fail(base, vo.ServiceUnavailableError)
    assert (error.status, error.reason) == (503, MAINTENANCE)
    assert error.url == f"{fault_server}/plain503/tap/sync"
    assert str(error).startswith(f"{base} failed on its side (try again later) [HTTP 503")


def test_no_answer_means_no_status(fault_server, refused_url):
    error = _fail(refused_url, vo.ServiceUnavailableError)
    assert (error.status, error.reason, error.url) == (None, None, refused_url)
    assert "no HTTP answer" in str(error)
    vo.config.settings.timeout = 0.5
    slow = _fail(f"{fault_server}/slow/tap", vo.DeadlineExceededError)
    assert slow.status is None and slow.url.startswith(f"{fault_server}/slow/tap")


def test_an_answer_over_the_byte_limit_names_its_status_and_url(fault_server):
    vo.config.settings.max_bytes = 10_000  # the recorded Gaia answer is 35,572 bytes
    error = _fail(f"{fault_server}/ok/tap", vo.ResponseTooLargeError)
    assert (error.status, error.url, error.reason) == (200, f"{fault_server}/ok/tap/sync", None)
    assert "[HTTP 200 from" in str(error)


def test_fetch_and_sesame_errors_carry_the_answer_too(fault_server):
    with pytest.raises(vo.ServiceUnavailableError) as caught:
        vo.fetch(f"{fault_server}/plain503/image.fits", timeout=2)
    assert (caught.value.status, caught.value.reason) == (503, MAINTENANCE)
    assert caught.value.url == f"{fault_server}/plain503/image.fits"
    vo.config.settings.endpoints["sesame"] = [f"{fault_server}/html500/sesame"]
    with pytest.raises(vo.ServiceUnavailableError) as caught:
        vo.resolve("M31", backend="live", timeout=2)
    assert (caught.value.status, caught.value.reason) == (500, "Internal Server Error")
    assert str(caught.value).startswith("Sesame name resolver: ")
    assert caught.value.url == f"{fault_server}/html500/sesame/SNV"


def test_a_named_service_that_nothing_answers_keeps_the_last_answer(fault_server):
    vo.config.settings.live_urls["gaia_dr3"] = f"{fault_server}/html500/tap"
    vo.config.settings.mirror_url = f"{fault_server}/plain503"
    with pytest.raises(vo.OfflineUnavailableError) as caught:
        vo.tap("gaia_dr3").run(QUERY, use_cache=False)
    assert (caught.value.status, caught.value.reason) == (503, MAINTENANCE)
    assert "Internal Server Error" in str(caught.value)  # the live service's reason too


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (error_votable("a &lt;b&gt; &amp; c").decode(), "a <b> & c"),
        ('<INFO name="QUERY_STATUS" value="ERROR"><![CDATA[x < y]]></INFO>', "x < y"),
        ('<INFO name="QUERY_STATUS" value="OK">fine</INFO>', None),
        ('<INFO name="QUERY_STATUS" value="ERROR"/>', None),
        ('<INFO name="QUERY_STATUS" value="ERR', None),  # a head cut in the tag
        ('<INFO name="QUERY_STATUS" value="ERROR">cut off he', "cut off he"),
    ],
)
def test_the_votable_error_scan(text, said):
    assert votable_error(text) == said


def test_the_scan_of_a_hostile_head_is_quick():
    hostile = "<INFO name='x' value='y'>" * 700 + "<INFO " * 3000
    started = time.perf_counter()
    assert votable_error(hostile) is None
    assert time.perf_counter() - started < 0.5


def test_clean_keeps_words_and_drops_the_rest():
    assert clean("  two\twords\r\n") == "two words"
    assert clean("\x00\u200b\u202e") is None
    assert clean(None) is None
    assert clean("é ü 中文 ok") == "é ü 中文 ok"
    assert len(clean("a" * 10_000)) == 300
