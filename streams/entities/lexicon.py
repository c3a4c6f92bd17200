"""Cue words per language: titles before names, and the head words of organisation, place and
event names. General vocabulary only, never names taken from evaluation data."""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Lower-case cue words of one language (Polish ones are lemmas: morphology finds them)."""

    # Offices, honorifics and roles that stand before a person's name, capitalised or not:
    # "Prezydent Białorusi Aleksander Łukaszenko", "premiera Donalda Tuska", "Mr Smith".
    titles: frozenset[str]
    # Nouns that make a capitalised phrase an organisation / a place / an event or work
    # (the last is not one of our labels, so such phrases are dropped, not mislabelled).
    org_heads: frozenset[str]
    loc_heads: frozenset[str]
    event_heads: frozenset[str]
    # Lower-case words right before a name that say what it names: "firma X", "the band X".
    org_cues: frozenset[str]
    loc_cues: frozenset[str]
    # Lower-case words allowed inside a name: "University of Halle", "Ursula von der Leyen".
    connectors: frozenset[str]
    # Prepositions that, before an unknown name, make a place likelier than a person ("in
    # Marszew"), word endings typical of place names ("Poolesville", "Blizanowice"), and
    # modifiers that turn a place into a larger or older one ("West Africa", "Greater Poland").
    loc_prepositions: frozenset[str] = frozenset()
    place_suffixes: tuple[str, ...] = ()
    place_modifiers: frozenset[str] = frozenset()
    # Articles before a name that make a body likelier than a person ("the Pirates", "the TAB")
    # and determiners that never start a name even before a head word ("The University").
    org_articles: frozenset[str] = frozenset()
    determiners: frozenset[str] = frozenset()
    # Endings that derive a nationality word from a country name ("Austria" -> "Austrian"),
    # and nationality or faith words no such rule derives; capitalised, they name no entity.
    demonym_suffixes: tuple[str, ...] = ()
    demonyms: frozenset[str] = frozenset()
    # Whether the language capitalises every noun (German), so a capital letter proves little,
    # or, the other way, keeps even titles and headings in lower case (Polish), so a capital
    # inside a sentence nearly always marks a name, even on a word that is also ordinary.
    capitalises_nouns: bool = False
    capitals_mark_names: bool = False
    # Closed-class words (articles, prepositions, pronouns, conjunctions), for a language with
    # no dictionary loaded: capitalised, they open a sentence and name nothing ("In Hamburg",
    # "An Bord"), even when a census lists the spelling as a first name.
    function_words: frozenset[str] = frozenset()
    # Lower-case words right before a name that make it a storm or another event, not a person
    # ("orkan Ksawery", "hurricane Katrina"); capitalised, they are event heads too.
    event_cues: frozenset[str] = frozenset()
    # Abbreviations of ordinary words, written in capitals: "AI", "KO", "GDP" name nothing.
    abbreviations: frozenset[str] = frozenset()
    # Whether a name's head noun comes first ("Komisja Europejska", "Korea Północna") rather than
    # last ("European Commission", "North Korea").
    heads_first: bool = False
    # Lower-case words before a quoted title that make it a newspaper, broadcaster or agency
    # ("dziennik „New York Times”", "the newspaper "Le Monde""): the quotes hold one name.
    media_cues: frozenset[str] = frozenset()
    # Lemmas right before a name that make it a street or square ("ul. Opatowicka", "przy alei
    # Róż"; the Polish corpora count these as places).
    street_cues: frozenset[str] = frozenset()
    # Case endings a name takes, stripped to find the short form it links to ("Pieskowej" ->
    # "Pieskow"), and those the language adds to a foreign title's last word ("Timesa").
    name_endings: tuple[str, ...] = ()
    foreign_title_endings: tuple[str, ...] = ()
    # Whether a place or body in the genitive may stand right before a person's name ("Prezydent
    # Białorusi Aleksander Łukaszenko"), so a name may start after one.
    genitive_names: bool = False
    # Whether a hyphen joins a case ending to a name ("PiS-u", "USA-owi"): where it does not, a
    # compound whose last part is in lower case is an ordinary word ("AI-generated").
    hyphen_case_endings: bool = False


_NAME_PARTICLES = "de da di do dos das du del della der den van von la le ter ten al el bin ibn"

POLISH = Lexicon(
    street_cues=_words("ul ulica al aleja pl plac os osiedle rondo"),
    name_endings=("owi", "ego", "emu", "em", "ie", "a", "u", "y", "i", "ą", "ę"),
    foreign_title_endings=("owi", "em", "ie", "a", "u"),
    genitive_names=True,
    hyphen_case_endings=True,
    titles=_words(
        """
        prezydent premier wicepremier minister wiceminister poseł posłanka senator marszałek
        prezes wiceprezes przewodniczący przewodnicząca wiceprzewodniczący rzecznik rzeczniczka
        ambasador konsul generał gen admirał pułkownik płk podpułkownik major mjr kapitan kpt
        porucznik sierżant komendant komisarz inspektor biskup arcybiskup kardynał papież ksiądz
        ks proboszcz rabin imam profesor prof doktor dr docent mgr inż pan pani p król królowa
        oprac opracował opracowała fot
        książę księżna cesarz car kanclerz sekretarz dyrektor dyrektorka burmistrz wojewoda
        starosta wójt radny radna sędzia prokurator mecenas adwokat trener szef szefowa przywódca
        lider liderka kandydat kandydatka gubernator kongresmen święty św pisarz pisarka poeta
        aktor aktorka piosenkarz piosenkarka wokalista reżyser dziennikarz dziennikarka
        publicysta biznesmen polityk zawodnik zawodniczka piłkarz piłkarka bramkarz napastnik
        obrońca pomocnik kolarz siatkarz tenisista skoczek bokser doradca zastępca asystent
        wiceburmistrz wicemarszałek wicewojewoda dowódca minister-prezydent
        """
    ),
    org_heads=_words(
        """
        ministerstwo urząd komisja komitet rada sejm senat parlament trybunał sąd prokuratura
        policja agencja instytut fundacja stowarzyszenie towarzystwo związek zrzeszenie
        federacja konfederacja unia partia front ruch sojusz koalicja platforma kongres
        zgromadzenie uniwersytet uczelnia politechnika akademia szkoła gimnazjum liceum
        kolegium wydział biblioteka bank spółka firma grupa korporacja koncern przedsiębiorstwo
        zakład wydawnictwo telewizja radio klub orkiestra chór izba inspektorat inspekcja straż
        służba biuro centrum departament kancelaria ambasada konsulat dowództwo armia sztab
        organizacja wspólnota bractwo zakon samorząd zarząd fundusz komenda ośrodek
        liga kuria episkopat synod teatr filharmonia muzeum flota flotylla marynarka
        """
    ),
    loc_heads=_words(
        """
        ulica aleja plac rondo osiedle most dworzec lotnisko port zamek pałac park ogród puszcza
        las góra pasmo przełęcz dolina jezioro rzeka morze ocean zatoka półwysep wyspa kanał
        ziemia województwo powiat gmina region stadion hala kościół katedra bazylika klasztor
        cmentarz rynek wzgórze wieża brama twierdza kopalnia huta stocznia zalew bulwar
        republika królestwo księstwo emirat sułtanat
        """
    ),
    event_heads=_words(
        """
        mistrzostwo mistrzostwa turniej festiwal dzień święto wojna bitwa powstanie igrzyska
        olimpiada konkurs nagroda puchar rajd targi wystawa konferencja szczyt traktat ustawa
        kodeks konstytucja plebiscyt maraton gala zjazd narodzenie wielkanoc orkan huragan
        tajfun sztorm cyklon
        """
    ),
    org_cues=_words(
        """
        firma spółka koncern klub zespół grupa partia organizacja stowarzyszenie fundacja agencja
        drużyna bank wydawnictwo stacja producent operator sieć
        """
    ),
    loc_cues=_words(
        """
        miasto miejscowość wieś gmina powiat województwo kraj państwo rzeka jezioro góra wyspa
        region stolica dzielnica osiedle ulica ul al pl os plac aleja
        """
    ),
    # Without "do" ("u ujścia Widawy do Odry": Polish "to") and "i", "w" (Polish words too).
    connectors=_words(_NAME_PARTICLES + " nad") - {"do", "dos", "das", "al", "el"},
    place_suffixes=("owice", "ewice", "ice", "owo", "ewo", "ów", "no", "sk", "yn"),
    capitals_mark_names=True,
    heads_first=True,
    event_cues=_words("orkan huragan tajfun sztorm cyklon niż wyż"),
    media_cues=_words(
        """
        dziennik gazeta tygodnik miesięcznik magazyn pismo portal serwis agencja stacja
        telewizja radio rozgłośnia redakcja wydawca nadawca
        """
    ),
)

ENGLISH = Lexicon(
    titles=_words(
        """
        mr mrs ms miss dr sir dame lord lady president vice prime minister secretary senator sen
        governor gov mayor king queen prince princess duke duchess emperor empress pope general
        gen admiral adm colonel col major captain capt lieutenant lt sergeant sgt corporal
        commander chancellor chairman chairwoman ceo director judge justice professor prof rev
        reverend father bishop archbishop cardinal rabbi imam sheikh coach officer chief
        inspector detective ambassador representative rep congressman congresswoman councilman
        councillor deputy speaker attorney sheriff president-elect premier fellow member
        coroner commissioner superintendent marshal spokesman spokeswoman spokesperson
        pianist singer guitarist drummer violinist composer conductor actor actress author
        writer novelist poet playwright painter sculptor photographer journalist reporter
        economist scientist astronomer physicist historian striker goalkeeper midfielder
        defender boxer skier cyclist sprinter
        """
    ),
    org_heads=_words(
        """
        university college school academy institute institution society association federation
        league club party council committee commission congress parliament senate assembly
        court department ministry office agency bureau authority administration service services
        corporation corp company co inc ltd llc plc pty gmbh ag group holdings industries
        enterprises bank airlines airways railway railways motors records studios pictures
        entertainment media publishing broadcasting network television tv foundation fund trust
        hospital orchestra band choir ensemble quartet corps army navy force forces division
        brigade regiment battalion wing squadron fleet police guard board organization
        organisation laboratory laboratories labs systems technologies software partners
        associates fc union church ministries commission coalition alliance front movement
        """
    ),
    loc_heads=_words(
        """
        street road avenue boulevard lane square bridge highway route park river lake sea ocean
        bay gulf strait island islands isle peninsula mountain mountains mount hill hills valley
        canyon desert forest falls beach coast harbor harbour county province prefecture
        district region city town village township parish borough airport station stadium arena
        pavilion castle palace cathedral abbey tower plaza heights springs creek canal glacier
        volcano reef brook pond reservoir junction stream
        """
    ),
    event_heads=_words(
        """
        war battle revolution festival awards award prize cup championship championships
        olympics games tournament series tour album day week act treaty agreement accord
        declaration summit expo exhibition campaign crisis massacre rebellion uprising
        christmas easter thanksgiving halloween ramadan hanukkah diwali passover storm
        hurricane typhoon cyclone telescope
        """
    ),
    org_cues=_words(
        """
        band group company firm club team label station party organization organisation
        agency newspaper network manufacturer carrier
        """
    ),
    loc_cues=_words("village town city river lake island county province region capital"),
    connectors=_words(_NAME_PARTICLES + " of the for am upon"),
    loc_prepositions=_words("in at near around from outside across throughout into"),
    place_suffixes=(
        "ville",
        "burg",
        "burgh",
        "borough",
        "bury",
        "ford",
        "field",
        "shire",
        "wick",
        "stead",
        "thorpe",
        "by",
        "caster",
        "chester",
        "mouth",
        "pur",
        "pura",
        "abad",
        "grad",
        "stan",
        "polis",
        "dorf",
        "hausen",
        "heim",
        "holm",
    ),
    place_modifiers=_words(
        "north south east west northern southern eastern western central upper lower greater new old great"
    ),
    org_articles=_words("the"),
    determiners=_words("the a an this that these those his her its their our my your"),
    demonym_suffixes=("an", "ian", "n", "ese", "ish", "i", "ean"),
    event_cues=_words("storm hurricane typhoon cyclone"),
    media_cues=_words("newspaper daily weekly magazine broadcaster channel agency station tabloid"),
    abbreviations=_words(
        """
        ai ko tko tv pc ok gdp cpi dna rna hiv aids ipo ufo atm suv gps usb led lcd dvd iq vat
        vip faq diy ev evs cctv sms html pdf api
        """
    ),
    demonyms=_words(
        """
        American British Swiss Dutch French Irish Welsh Scottish Scots Greek Thai Arab Arabic
        Jewish Muslim Islamic Christian Catholic Protestant Orthodox Hindu Buddhist Sikh
        Caribbean Soviet Latino Hispanic Filipino Americans Britons Poles Christians Jews
        Muslims Catholics Protestants
        """
    ),
)

_GERMAN_DETERMINERS = """
    der die das den dem des ein eine einen einem einer eines dieser diese dieses diesen diesem
    jener jene jenes sein seine ihr ihre unser unsere mein meine jeder jede jedes alle
    im am zum zur vom beim ins ans
    """

GERMAN = Lexicon(
    titles=_words(
        """
        herr frau dr prof präsident präsidentin bundeskanzler bundeskanzlerin kanzler kanzlerin
        minister ministerin bürgermeister bürgermeisterin general könig königin papst
        """
    ),
    org_heads=_words(
        """
        universität hochschule bank gmbh ag partei ministerium verband verein gesellschaft
        stiftung institut bundestag bundesrat gericht amt behörde konzern gruppe kommission
        """
    ),
    loc_heads=_words("straße platz fluss see berg gebirge insel bahnhof flughafen kreis"),
    event_heads=_words("krieg schlacht festival preis pokal meisterschaft"),
    org_cues=frozenset(),
    loc_cues=frozenset(),
    connectors=_words(_NAME_PARTICLES + " am im an der"),
    determiners=_words(_GERMAN_DETERMINERS),
    function_words=_words(
        _GERMAN_DETERMINERS
        + """
        in im an am auf aus bei mit nach seit von vom zu zum zur für gegen ohne um durch über
        unter vor hinter neben zwischen während wegen trotz bis ab und oder aber denn doch sondern
        wenn als ob weil dass da so auch noch schon nur nicht kein keine ich du er sie es wir ihr
        man sich wer was wie wo wann warum hier dort heute gestern morgen damit dabei dafür danach
        dazu deshalb trotzdem jedoch zudem außerdem bereits
        """
    ),
    capitalises_nouns=True,
)

FRENCH = Lexicon(
    titles=_words(
        """
        m mme mlle monsieur madame président présidente ministre premier général roi reine pape
        maire docteur dr professeur
        """
    ),
    org_heads=_words(
        """
        université banque société parti ministère conseil assemblée association fédération
        institut commission agence groupe compagnie sa sarl
        """
    ),
    loc_heads=_words("rue avenue boulevard place lac mont fleuve rivière île gare aéroport"),
    event_heads=_words("guerre bataille festival prix coupe championnat"),
    org_cues=frozenset(),
    loc_cues=frozenset(),
    connectors=_words(_NAME_PARTICLES + " sur en"),
)

ITALIAN = Lexicon(
    titles=_words(
        """
        signor signore signora sig dott dottore dottoressa prof professore professoressa
        presidente ministro ministra premier sindaco sindaca senatore senatrice deputato
        deputata onorevole on papa cardinale vescovo don padre suor generale colonnello capitano
        segretario segretaria direttore direttrice allenatore ct giudice procuratore avvocato re
        regina principe principessa cancelliere ambasciatore ambasciatrice portavoce governatore
        assessore consigliere
        """
    ),
    org_heads=_words(
        """
        università istituto fondazione associazione federazione lega partito consiglio comitato
        commissione ministero tribunale corte camera senato parlamento agenzia banca società
        gruppo compagnia azienda club orchestra polizia carabinieri esercito marina guardia
        ufficio dipartimento servizio
        """
    ),
    loc_heads=_words(
        """
        via viale piazza corso largo ponte fiume lago mare monte monti isola golfo stretto valle
        canale stazione aeroporto stadio porto castello palazzo chiesa basilica cattedrale
        """
    ),
    event_heads=_words("guerra battaglia festival premio coppa campionato olimpiadi mondiali natale pasqua"),
    org_cues=_words("società azienda gruppo partito squadra banca"),
    loc_cues=_words("città paese comune provincia regione fiume lago isola piazza via"),
    connectors=_words(_NAME_PARTICLES + " dei degli delle dello dal"),
    loc_prepositions=_words("a in da verso presso"),
    place_modifiers=_words("alto alta basso bassa nord sud est ovest nuovo nuova grande gran"),
    org_articles=_words(
        "il lo la l i gli le del dello della dei degli delle al allo alla nel nella sul sulla dal dalla"
    ),
    determiners=_words("il lo la l i gli le un uno una questo questa quel quella"),
    abbreviations=_words("pil iva ia"),
)

SPANISH = Lexicon(
    titles=_words(
        """
        señor señora sr sra don doña presidente presidenta ministro ministra secretario
        secretaria alcalde alcaldesa senador senadora diputado diputada rey reina príncipe
        princesa papa cardenal obispo padre general coronel capitán director directora
        entrenador seleccionador juez jueza fiscal abogado portavoz gobernador gobernadora
        canciller embajador embajadora dr doctor doctora profesor profesora
        """
    ),
    org_heads=_words(
        """
        universidad instituto fundación asociación federación liga partido consejo comité
        comisión ministerio tribunal corte congreso senado parlamento agencia banco sociedad
        grupo compañía empresa club orquesta policía ejército armada guardia oficina
        departamento servicio
        """
    ),
    loc_heads=_words(
        """
        calle avenida plaza paseo puente río lago mar monte sierra isla golfo estrecho valle
        canal estación aeropuerto estadio puerto castillo palacio iglesia catedral
        """
    ),
    event_heads=_words(
        "guerra batalla festival premio copa campeonato juegos olimpiadas mundial navidad pascua"
    ),
    org_cues=_words("empresa compañía grupo partido equipo banco"),
    loc_cues=_words("ciudad pueblo municipio provincia región río lago isla plaza calle"),
    connectors=_words(_NAME_PARTICLES),
    loc_prepositions=_words("en a desde hacia"),
    place_modifiers=_words("alto alta bajo baja norte sur este oeste nuevo nueva gran"),
    org_articles=_words("el la los las del al"),
    determiners=_words("el la los las un una unos unas este esta ese esa"),
    abbreviations=_words("pib iva ia"),
)

# Languages without their own list share the Latin-script particles and English cue words,
# which also cover the many English names quoted in any European news text.
_BY_LANGUAGE = {"pl": POLISH, "en": ENGLISH, "de": GERMAN, "fr": FRENCH, "it": ITALIAN, "es": SPANISH}


def lexicon(lang: str) -> Lexicon:
    """The cue words for `lang` (an ISO 639-1 code), English ones when there are none."""
    return _BY_LANGUAGE.get(lang, ENGLISH)
