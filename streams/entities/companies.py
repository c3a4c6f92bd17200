"""Companies, news agencies and sports bodies that news names by a bare word ("Samsung said",
"according to Reuters"): with no head noun or cue word, the rules would guess a person.

Our own list of widely reported names, as they are written in any Latin-script language.
Left out on purpose: names that are also everyday words and open sentences ("Target", "Visa",
"Next", "Orange", "Sky"), which would turn those words into companies, and surnames that name a
company too ("Ford", "Fox", "Wagner"), which would keep "Ford" apart from "Harrison Ford".
"""

from __future__ import annotations

_NAMES = """
    Samsung Apple Microsoft Google Alphabet Amazon Meta Facebook Instagram WhatsApp YouTube
    Netflix Tesla SpaceX Nvidia Intel AMD Qualcomm Broadcom Oracle IBM Cisco Adobe Salesforce
    OpenAI Anthropic DeepMind Huawei Xiaomi Lenovo Alibaba Tencent Baidu ByteDance TikTok
    Sony Panasonic Toshiba Hitachi Nintendo Toyota Honda Nissan Mazda Subaru Hyundai Kia
    Volkswagen Audi Porsche BMW Mercedes-Benz Daimler Stellantis Renault Peugeot Fiat Ferrari
    Volvo Skoda Chrysler Boeing Airbus Lockheed Raytheon Northrop Rheinmetall Thales
    Siemens Bosch BASF Bayer Allianz SAP Lufthansa Ryanair easyJet Wizz KLM Aeroflot Gazprom
    Rosneft Lukoil Novatek Sberbank Orlen PKN PGNiG KGHM PZU Pekao Allegro InPost
    Biedronka Lidl Aldi Carrefour Tesco Walmart Costco Safeway Kroger IKEA Zara Inditex H&M
    Nike Adidas Puma Nestlé Unilever Danone Heineken Carlsberg Coca-Cola PepsiCo McDonald's
    Starbucks Uber Lyft Airbnb Spotify PayPal Mastercard JPMorgan Citigroup HSBC
    Barclays UBS Santander BNP Commerzbank ING Rabobank Nordea ExxonMobil Exxon
    Chevron BP Shell TotalEnergies Eni Equinor Aramco Glencore ArcelorMittal Pfizer
    Moderna AstraZeneca Novartis Roche Sanofi GSK Merck BioNTech Philips Ericsson
    Nokia Vodafone Telefónica T-Mobile Verizon AT&T Comcast Disney
    Paramount Reuters Bloomberg AFP PAP Interfax TASS Xinhua Ukrinform DPA ANSA
    EFE Kyodo Yonhap Polsat TVN TVP BBC CNN CNBC NBC CBS ABC Al-Jazeera FIFA UEFA IOC
    NATO OPEC WTO IMF OECD Europol Interpol Frontex Greenpeace Amnesty Hamas Hezbollah
    Taliban
"""

# Multi-word names of the same kind, whose words alone are not ("Deutsche", "Rio").
_PHRASES = (
    "Deutsche Bank",
    "Deutsche Bahn",
    "Deutsche Telekom",
    "Goldman Sachs",
    "Morgan Stanley",
    "Bank of America",
    "Wells Fargo",
    "General Motors",
    "General Electric",
    "Rio Tinto",
    "Novo Nordisk",
    "CD Projekt",
    "Warner Bros",
    "Associated Press",
    "Al Jazeera",
    "Amnesty International",
    "Human Rights Watch",
    "Red Cross",
    "Lockheed Martin",
    "Saudi Aramco",
)

COMPANIES = frozenset(_NAMES.split()) | frozenset(_PHRASES)
