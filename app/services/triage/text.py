"""Text normalisation for triage matching, for Turkish and English incident text.

Hypercare tickets in Turkish projects mix both languages in one sentence ("MIGO'da mal girişi yaparken
M7 021 hatası"), are typed with or without Turkish letters, in capitals or not, and carry SAP codes that are
the strongest evidence two tickets are about the same thing. The pipeline, in this order:

1. SAP codes become single tokens before anything can split them: a message number written "M7 021",
   "M7021" or "m7-021" becomes ``m7021``; a namespaced code such as ``/SCWM/MON`` becomes ``scwm_mon``.
   Transaction codes (VA01, ME21N), IDoc basic types (ORDERS05) and IDoc statuses (51) are plain words and
   survive on their own.
2. A suffix after an apostrophe is dropped: Turkish writes inflections of codes and names that way
   ("VA01'de", "SAP'ye"), and the code alone is what should match.
3. Turkish-aware lower-casing (I -> ı, İ -> i); Python's own ``lower`` turns "İ" into "i" plus a combining
   dot and "I" into "i", which is wrong for Turkish words.
4. Diacritics are folded (ı->i, ş->s, ğ->g, ç->c, ö->o, ü->u) for matching only: half of the tickets are
   typed on keyboards or phones without Turkish letters, so "fatura oluşturulamıyor" has to meet
   "fatura olusturulamiyor". The folding also undoes step 3's ı for English words typed in capitals
   ("INVOICE" -> "ınvoıce" -> "invoice"), which is why both steps are needed and in this order.
5. Optionally, Turkish domain words are followed by their English SAP term (a small hand-written glossary,
   matched on the word's beginning so suffixes do not matter): "faturası" -> "faturasi invoice". This is
   what lets a Turkish ticket meet an English one beyond the SAP codes they share. The bench measures the
   engine with and without it.

Word stems are the first five letters of a word (Can et al., "Information retrieval on Turkish texts",
JASIST 2008, found five-letter truncation as good as a real Turkish stemmer); words with a digit or an
underscore are codes and are never truncated.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STEM_LENGTH = 5

# A message class (2-3 characters starting with a letter) followed by a 3-digit number. Priority codes
# ("P1 100 users") look the same and are left alone.
_MESSAGE_NUMBER = re.compile(r"(?<![\w/])([A-Za-z][A-Za-z0-9]{1,2})[ \-/]?(\d{3})(?!\d)")
_PRIORITY_CODE = re.compile(r"^[Pp][1-4]$")
_NAMESPACED = re.compile(r"/([A-Za-z0-9]{2,10})/([A-Za-z0-9_]+)")
_APOSTROPHE_SUFFIX = re.compile(r"(\w)['’‘`´]\w+")
_NOT_WORD = re.compile(r"[^\w]+")
_TURKISH_UPPER = str.maketrans({"I": "ı", "İ": "i"})
_DOTLESS = str.maketrans({"ı": "i"})

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "we",
        "were",
        "when",
        "while",
        "will",
        "with",
        "would",
        "you",
        "your",
        "not",
        "no",
        "hi",
        "hello",
        "dear",
        "thanks",
        "regards",
        "team",
        "ve",
        "veya",
        "ile",
        "bir",
        "bu",
        "su",
        "o",
        "da",
        "de",
        "ki",
        "mi",
        "mu",
        "icin",
        "gibi",
        "ama",
        "fakat",
        "ancak",
        "daha",
        "cok",
        "en",
        "her",
        "hic",
        "ne",
        "neden",
        "nasil",
        "olan",
        "olarak",
        "oldu",
        "olur",
        "ise",
        "ya",
        "yine",
        "bize",
        "biz",
        "siz",
        "size",
        "merhaba",
        "selam",
        "tesekkurler",
        "lutfen",
    ]
)

# Turkish SAP vocabulary (folded, without diacritics) -> English SAP term. Keys of four letters or more
# match any word that starts with them (so "faturası", "faturaların" match "fatura"); the longest key wins.
# A key ending in "!" matches only itself plus a Turkish case or plural ending ("parti" must not catch the
# English "partial"). Two-word keys match two consecutive words. Written as general SAP terminology, not
# from the demo corpus.
_GLOSSARY_TEXT = """
fatura=invoice; siparis=order; satinalma=purchase; satin alma=purchase; teslimat=delivery; teslim=delivery
sevkiyat=shipment; irsaliye=delivery note; mal girisi=goods receipt; mal cikisi=goods issue
mal kabul=goods receipt; stok=stock; envanter=inventory; sayim=count; malzeme=material; musteri=customer
satici=vendor; tedarikci=vendor; odeme=payment; yetki=authorization; hata=error; hatali=wrong
yanlis=wrong; eksik=missing; yavas=slow; fiyat=price; fiyatlandirma=pricing; kosul=condition
indirim=discount; navlun=freight; gumruk=customs; doviz=currency; kur farki=exchange rate
donem=period; kayit=posting; belge=document; fis=document; hesap=account; hesaplama=calculation
maliyet=cost; masraf yeri=cost center; kar merkezi=profit center; uretim=production; is emri=order
urun agaci=bom; rota=routing; planlama=planning; kalite=quality; muayene=inspection; numune=sample
depo=warehouse; ambar=warehouse; palet=pallet; etiket=label; dalga=wave; gorev=task; kullanici=user
sifre=password; yazici=printer; cikti=output; arayuz=interface; entegrasyon=integration; vergi=tax
kdv=tax; banka=bank; ekstre=statement; onay=approval; serbest birak=release
seri numara=serial; rezervasyon=reservation; talep=requisition; iade=return; kredi=credit
bloke=block; blokaj=block; kilit=lock; parti!=batch; amortisman=depreciation; duran varlik=asset; varlik=asset
kapanis=closing; mutabakat=reconciliation; defter=ledger; ana veri=master data; is ortagi=business partner
zaman asimi=timeout; kuyruk=queue; rapor=report; iptal=cancel; ters kayit=reversal; miktar=quantity
olcu birimi=unit of measure; birim=unit; acik kalem=open item; denklestirme=clearing; dagitim=distribution
gider=expense; gelir=revenue; bordro=payroll; calismiyor=not working; olusturulamiyor=cannot create
kaydedilemiyor=cannot save; gonderilemiyor=cannot send; gelmiyor=not received; dusmuyor=not received
acilmiyor=cannot open; goruntulenemiyor=cannot display; yok=missing; sistem=system; ekran=screen
tarih=date; gecikme=delay; tekrar=again; yeni=new; toplu=mass; islem=transaction
"""


def _parse_glossary(text: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    single: dict[str, str] = {}
    double: dict[tuple[str, str], str] = {}
    for entry in text.replace("\n", ";").split(";"):
        if "=" not in entry:
            continue
        key, english = (part.strip() for part in entry.split("=", 1))
        words = key.split()
        if len(words) == 2:
            double[(words[0], words[1])] = english
        else:
            single[key] = english
    return single, double


GLOSSARY, GLOSSARY_PAIRS = _parse_glossary(_GLOSSARY_TEXT)
_KEYS_BY_LENGTH = sorted((k for k in GLOSSARY if not k.endswith("!")), key=len, reverse=True)
_EXACT_KEYS = {k[:-1]: GLOSSARY[k] for k in GLOSSARY if k.endswith("!")}
_TURKISH_ENDINGS = frozenset(
    [
        "i",
        "si",
        "yi",
        "e",
        "ye",
        "de",
        "da",
        "te",
        "ta",
        "den",
        "dan",
        "ten",
        "tan",
        "in",
        "nin",
        "un",
        "nun",
        "ler",
        "lar",
        "leri",
        "lari",
        "lerin",
        "larin",
    ]
)
_PAIR_FIRST_WORDS = {first for first, _ in GLOSSARY_PAIRS}


def turkish_lower(text: str) -> str:
    """Lower-case with Turkish rules: "İSTANBUL" -> "istanbul", "IŞIK" -> "ışık"."""
    return text.translate(_TURKISH_UPPER).lower()


def fold(text: str) -> str:
    """Drop diacritics (ı -> i too) so text typed without Turkish letters matches text typed with them."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_DOTLESS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _join_message_number(match: re.Match[str]) -> str:
    message_class, number = match.group(1), match.group(2)
    if _PRIORITY_CODE.match(message_class):
        return match.group(0)
    return f"{message_class}{number}"


def normalise(text: str, glossary: bool = True) -> str:
    """The matching form of `text`: codes joined, Turkish-lower-cased, folded, punctuation removed."""
    text = unicodedata.normalize("NFC", text or "")
    text = _NAMESPACED.sub(lambda m: f" {m.group(1)}_{m.group(2)} ", text)
    text = _MESSAGE_NUMBER.sub(_join_message_number, text)
    text = _APOSTROPHE_SUFFIX.sub(r"\1", text)
    text = fold(turkish_lower(text))
    words = _NOT_WORD.sub(" ", text).split()
    return " ".join(expand_glossary(words) if glossary else words)


def _glossary_term(word: str) -> str | None:
    if word in GLOSSARY:
        return GLOSSARY[word]
    for key, english in _EXACT_KEYS.items():
        if word == key or (word.startswith(key) and word[len(key) :] in _TURKISH_ENDINGS):
            return english
    for key in _KEYS_BY_LENGTH:
        if len(key) >= 4 and word.startswith(key):
            return GLOSSARY[key]
    return None


@lru_cache(maxsize=65536)
def _cached_glossary_term(word: str) -> str | None:
    return _glossary_term(word)


def expand_glossary(words: list[str]) -> list[str]:
    """Follow each Turkish domain word (or two-word term) by its English SAP term."""
    out: list[str] = []
    for position, word in enumerate(words):
        out.append(word)
        if word in _PAIR_FIRST_WORDS and position + 1 < len(words):
            following = words[position + 1]
            for (first, second), english in GLOSSARY_PAIRS.items():
                if first == word and following.startswith(second):
                    out.append(english)
                    break
        term = _cached_glossary_term(word)
        if term is not None:
            out.append(term)
    return out


def is_code(token: str) -> bool:
    """SAP codes (VA01, ME21N, M7021, ORDERS05, scwm_mon, 51) keep their full spelling."""
    return any(ch.isdigit() or ch == "_" for ch in token)


@lru_cache(maxsize=262144)
def stem(token: str) -> str:
    """The first STEM_LENGTH letters of a word; codes unchanged."""
    return token if is_code(token) else token[:STEM_LENGTH]


def tokens(normalised: str) -> list[str]:
    """Content words of a normalised text: stop words and single letters dropped, codes kept."""
    return [t for t in normalised.split() if (len(t) > 1 or t.isdigit()) and t not in STOPWORDS]
