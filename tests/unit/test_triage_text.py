"""Turkish/English normalisation for triage matching: casing, folding, SAP codes, stems and the glossary."""

from app.services.triage.text import fold, normalise, stem, tokens, turkish_lower


def test_turkish_capitals_lower_case_to_turkish_letters():
    assert turkish_lower("İSTANBUL") == "istanbul"
    assert turkish_lower("IŞIK") == "ışık"
    assert turkish_lower("ISPARTA") == "ısparta"
    # Python's own lower() gets both wrong, which is why the module exists:
    assert "İSTANBUL".lower() != "istanbul" and "IŞIK".lower() != "ışık"


def test_matching_form_is_the_same_however_the_word_was_typed():
    assert normalise("İSTANBUL") == normalise("istanbul") == normalise("Istanbul") == "istanbul"
    assert normalise("IŞIK") == normalise("ışık") == normalise("isik") == "isik"
    assert normalise("Fatura oluşturulamıyor", glossary=False) == normalise("FATURA OLUSTURULAMIYOR", glossary=False)


def test_english_capitals_are_not_left_with_a_dotless_i():
    assert normalise("INVOICE BLOCKED", glossary=False) == "invoice blocked"
    assert fold("ınvoıce") == "invoice"


def test_message_numbers_become_one_token_however_written():
    written = ("error M7 021", "error M7021", "error m7-021", "error M7/021")
    forms = {normalise(text, glossary=False) for text in written}
    assert forms == {"error m7021"}
    assert normalise("P1 100 users", glossary=False) == "p1 100 users"  # a priority is no message class


def test_sap_codes_survive_as_tokens():
    text = normalise("VA01'de hata, /SCWM/MON yavaş, IDoc ORDERS05 status 51 in WE02", glossary=False)
    words = text.split()
    assert {"va01", "scwm_mon", "orders05", "51", "we02"} <= set(words)
    assert "de" not in words  # the suffix after the apostrophe is dropped: "VA01'de" is VA01
    assert [stem(t) for t in ("me21n", "orders05", "scwm_mon", "m7021")] == ["me21n", "orders05", "scwm_mon", "m7021"]


def test_stems_join_turkish_and_english_inflections():
    assert stem("faturası") == stem("faturaların") == stem("fatura") == "fatur"
    assert stem("invoices") == stem("invoice")


def test_stop_words_and_single_letters_are_not_tokens():
    assert tokens("the invoice ve bir a fatura 7") == ["invoice", "fatura", "7"]


def test_glossary_gives_turkish_words_their_english_sap_term():
    assert normalise("Satıcı faturası MIRO'da kaydedilemiyor").split() == [
        "satici",
        "vendor",
        "faturasi",
        "invoice",
        "miro",
        "kaydedilemiyor",
        "cannot",
        "save",
    ]
    assert "goods receipt" in normalise("MIGO ile mal girişi yapılamıyor")
    assert "batch" in normalise("partisi bulunamadı")
    assert "batch" not in normalise("partial delivery")  # an English word that starts like "parti"
