/**
 * The demo program's rewards shop: what a builder, installer or reseller in Sweden and Norway can spend
 * points on, in five languages. Data only; the rewards feature's demo seeding reads it.
 *
 * Price scale (customers earn about 1 point per SEK): cash-like rewards are worth about 1 öre per point
 * (gift cards and donations 100 points per krona, credit notes slightly less generous at 110, so that
 * the company keeps an incentive to pick something else than cash); goods are priced at about 60 points
 * per retail krona because the wholesaler buys them at trade prices; events and trips are partly paid
 * by suppliers, so they cost fewer points than their retail value.
 */

export type DemoLang = 'en' | 'sv' | 'nb' | 'pl' | 'de';
export interface DemoText { name: string; description: string }
export interface DemoRewardCategory { code: string; names: Record<DemoLang, string> }
export interface DemoReward {
  code: string;                 // lowercase slug, unique, e.g. 'drill-driver-18v'
  category: string;             // one of the six category codes
  type: 'physical' | 'experience' | 'code' | 'charity' | 'cashback' | 'content';
  pricePoints: number;          // integer points per unit
  stock: number | null;         // null = unlimited; counted stock for physical goods and event seats
  texts: Record<DemoLang, DemoText>;
  minTier?: 'bronze' | 'silver' | 'gold' | 'platinum';
  roles?: string[];             // only these member roles may order (rarely used)
  countries?: Array<'SE' | 'NO'>;
  segments?: Array<'builder' | 'installer' | 'reseller'>;
  limitPerMember?: number;      // per period below
  limitPerAccount?: number;
  limitPeriod?: 'month' | 'quarter' | 'year' | 'lifetime';
  codeSource?: 'pool' | 'generated';   // only for type 'code'
  cashValueMinor?: number;      // type 'cashback': the credit note in SEK öre per unit; type 'charity': the donation in öre per unit
  validFrom?: string;           // ISO date, optional
  validUntil?: string;          // ISO date, optional
  eventDate?: string;           // experiences: ISO date-time of the event
}

export const demoRewardCategories: DemoRewardCategory[] = [
  { code: 'tools-workwear', names: { en: 'Tools & workwear', sv: 'Verktyg & arbetskläder', nb: 'Verktøy og arbeidsklær', pl: 'Narzędzia i odzież robocza', de: 'Werkzeug & Arbeitskleidung' } },
  { code: 'home-leisure', names: { en: 'Home & leisure', sv: 'Hem & fritid', nb: 'Hjem og fritid', pl: 'Dom i czas wolny', de: 'Haus & Freizeit' } },
  { code: 'experiences', names: { en: 'Experiences & courses', sv: 'Upplevelser & kurser', nb: 'Opplevelser og kurs', pl: 'Wydarzenia i szkolenia', de: 'Erlebnisse & Kurse' } },
  { code: 'gift-cards', names: { en: 'Gift cards & codes', sv: 'Presentkort & koder', nb: 'Gavekort og koder', pl: 'Karty podarunkowe i kody', de: 'Gutscheine & Codes' } },
  { code: 'charity', names: { en: 'Charity', sv: 'Välgörenhet', nb: 'Veldedighet', pl: 'Cele charytatywne', de: 'Spenden' } },
  { code: 'cashback', names: { en: 'Cashback', sv: 'Återbäring', nb: 'Penger tilbake', pl: 'Cashback', de: 'Gutschriften' } },
];

export const demoRewards: DemoReward[] = [
  // ── Tools & workwear ──────────────────────────────────────────────────────────────────────────
  {
    code: 'drill-driver-18v', category: 'tools-workwear', type: 'physical', pricePoints: 119_000, stock: 40,
    texts: {
      en: { name: '18 V drill driver', description: 'Compact brushless drill driver with two 4.0 Ah batteries, a fast charger and a carrying case.' },
      sv: { name: 'Borrskruvdragare 18 V', description: 'Kompakt borstlös borrskruvdragare med två 4,0 Ah-batterier, snabbladdare och väska.' },
      nb: { name: 'Drill/skrutrekker 18 V', description: 'Kompakt børsteløs drill med to 4,0 Ah-batterier, hurtiglader og koffert.' },
      pl: { name: 'Wiertarko-wkrętarka 18 V', description: 'Kompaktowa, bezszczotkowa wiertarko-wkrętarka z dwoma akumulatorami 4,0 Ah, szybką ładowarką i walizką.' },
      de: { name: 'Akku-Bohrschrauber 18 V', description: 'Kompakter bürstenloser Bohrschrauber mit zwei 4,0-Ah-Akkus, Schnellladegerät und Transportkoffer.' },
    },
  },
  {
    code: 'green-cross-line-laser', category: 'tools-workwear', type: 'physical', pricePoints: 149_000, stock: 25, minTier: 'silver',
    texts: {
      en: { name: 'Green cross-line laser', description: 'Self-levelling cross-line laser with a green beam that stays visible in bright rooms. Comes with a wall bracket and a tripod.' },
      sv: { name: 'Grön krysslaser', description: 'Självnivellerande krysslaser med grön stråle som syns bra även i ljusa rum. Levereras med väggfäste och stativ.' },
      nb: { name: 'Grønn krysslaser', description: 'Selvnivellerende krysslaser med grønn stråle som synes godt også i lyse rom. Leveres med veggbrakett og stativ.' },
      pl: { name: 'Zielony laser krzyżowy', description: 'Samopoziomujący laser krzyżowy z zieloną wiązką, dobrze widoczną nawet w jasnych pomieszczeniach. W zestawie uchwyt ścienny i statyw.' },
      de: { name: 'Grüner Kreuzlinienlaser', description: 'Selbstnivellierender Kreuzlinienlaser mit grünem Strahl, der auch in hellen Räumen gut sichtbar bleibt. Mit Wandhalterung und Stativ.' },
    },
  },
  {
    code: 'insulated-work-jacket', category: 'tools-workwear', type: 'physical', pricePoints: 79_000, stock: 120, limitPerMember: 2, limitPeriod: 'year',
    texts: {
      en: { name: 'Insulated work jacket', description: 'Windproof, water-repellent winter jacket with reflective details, a detachable hood and plenty of pockets. Choose your size when ordering.' },
      sv: { name: 'Fodrad arbetsjacka', description: 'Vindtät och vattenavvisande vinterjacka med reflexdetaljer, avtagbar huva och gott om fickor. Välj storlek när du beställer.' },
      nb: { name: 'Foret arbeidsjakke', description: 'Vindtett og vannavvisende vinterjakke med refleksdetaljer, avtakbar hette og mange lommer. Velg størrelse når du bestiller.' },
      pl: { name: 'Ocieplana kurtka robocza', description: 'Wiatroszczelna i wodoodpychająca kurtka zimowa z elementami odblaskowymi, odpinanym kapturem i licznymi kieszeniami. Rozmiar wybierasz przy składaniu zamówienia.' },
      de: { name: 'Gefütterte Arbeitsjacke', description: 'Winddichte, wasserabweisende Winterjacke mit Reflexdetails, abnehmbarer Kapuze und vielen Taschen. Die Größe wählen Sie bei der Bestellung.' },
    },
  },
  {
    code: 'safety-boots-s3', category: 'tools-workwear', type: 'physical', pricePoints: 72_000, stock: 150, limitPerMember: 2, limitPeriod: 'year',
    texts: {
      en: { name: 'S3 safety boots', description: 'Waterproof safety boots with a composite toe cap, a puncture-resistant sole and a warm lining. Sizes 38–47.' },
      sv: { name: 'Skyddskängor S3', description: 'Vattentäta skyddskängor med tåhätta i komposit, spiktrampskydd och varmfoder. Storlek 38–47.' },
      nb: { name: 'Vernestøvler S3', description: 'Vanntette vernestøvler med tåhette i kompositt, spikertrampsikker såle og varmt fôr. Størrelse 38–47.' },
      pl: { name: 'Buty ochronne S3', description: 'Wodoodporne buty ochronne z kompozytowym podnoskiem, wkładką antyprzebiciową i ciepłą podszewką. Rozmiary 38–47.' },
      de: { name: 'Sicherheitsstiefel S3', description: 'Wasserdichte Sicherheitsstiefel mit Zehenschutzkappe aus Verbundmaterial, durchtrittsicherer Sohle und warmem Futter. Größen 38–47.' },
    },
  },
  {
    code: 'rechargeable-headlamp', category: 'tools-workwear', type: 'physical', pricePoints: 24_000, stock: 200,
    texts: {
      en: { name: 'Rechargeable headlamp', description: 'Bright LED headlamp that charges over USB-C, with a red-light mode and a motion sensor. The clips included fit it to any safety helmet.' },
      sv: { name: 'Laddbar pannlampa', description: 'Ljusstark LED-pannlampa som laddas via USB-C, med rött ljus och rörelsesensor. Med de medföljande clipsen sitter den på skyddshjälmen.' },
      nb: { name: 'Oppladbar hodelykt', description: 'Lyssterk LED-hodelykt som lades via USB-C, med rødt lys og bevegelsessensor. Med klipsene som følger med, passer den på vernehjelmen.' },
      pl: { name: 'Latarka czołowa z akumulatorem', description: 'Jasna latarka czołowa LED ładowana przez USB-C, z trybem czerwonego światła i czujnikiem ruchu. Dołączone klipsy pozwalają zamocować ją na kasku.' },
      de: { name: 'Akku-Stirnlampe', description: 'Helle LED-Stirnlampe mit USB-C-Ladung, Rotlichtmodus und Bewegungssensor. Mit den beiliegenden Clips passt sie auf jeden Schutzhelm.' },
    },
  },
  {
    code: 'open-tool-bag', category: 'tools-workwear', type: 'physical', pricePoints: 36_000, stock: 80,
    texts: {
      en: { name: 'Open tool bag', description: 'Sturdy open tool bag with a rigid base, 30 pockets and a padded shoulder strap.' },
      sv: { name: 'Öppen verktygsväska', description: 'Robust öppen verktygsväska med styv botten, 30 fickor och vadderad axelrem.' },
      nb: { name: 'Åpen verktøyveske', description: 'Solid åpen verktøyveske med stiv bunn, 30 lommer og polstret skulderreim.' },
      pl: { name: 'Otwarta torba narzędziowa', description: 'Wytrzymała otwarta torba na narzędzia ze sztywnym dnem, 30 kieszeniami i wyściełanym paskiem na ramię.' },
      de: { name: 'Offene Werkzeugtasche', description: 'Robuste offene Werkzeugtasche mit festem Boden, 30 Fächern und gepolstertem Schultergurt.' },
    },
  },
  {
    code: 'bluetooth-ear-defenders', category: 'tools-workwear', type: 'physical', pricePoints: 54_000, stock: 60,
    texts: {
      en: { name: 'Ear defenders with Bluetooth', description: 'Hearing protection with Bluetooth and FM radio, so you can take calls on a noisy site without taking them off.' },
      sv: { name: 'Hörselskydd med Bluetooth', description: 'Hörselskydd med Bluetooth och FM-radio, så att du kan svara i telefon på en bullrig arbetsplats utan att ta av dem.' },
      nb: { name: 'Hørselvern med Bluetooth', description: 'Hørselvern med Bluetooth og FM-radio, så du kan ta telefonen på en støyende byggeplass uten å ta dem av.' },
      pl: { name: 'Ochronniki słuchu z Bluetooth', description: 'Ochronniki słuchu z Bluetooth i radiem FM – na hałaśliwej budowie odbierzesz telefon, nie zdejmując ich.' },
      de: { name: 'Kapselgehörschutz mit Bluetooth', description: 'Gehörschutz mit Bluetooth und UKW-Radio: So nehmen Sie auf der lauten Baustelle Anrufe an, ohne ihn abzusetzen.' },
    },
  },
  {
    code: 'winter-work-gloves-6', category: 'tools-workwear', type: 'physical', pricePoints: 18_000, stock: 200,
    texts: {
      en: { name: 'Winter work gloves, 6 pairs', description: 'Lined work gloves with a grippy latex coating that keep your fingers warm and nimble. Choose your size when ordering.' },
      sv: { name: 'Fodrade arbetshandskar, 6 par', description: 'Fodrade arbetshandskar med halkfri latexbeläggning som håller fingrarna varma och smidiga. Välj storlek när du beställer.' },
      nb: { name: 'Forede arbeidshansker, 6 par', description: 'Forede arbeidshansker med sklisikkert latexbelegg som holder fingrene varme og smidige. Velg størrelse når du bestiller.' },
      pl: { name: 'Ocieplane rękawice robocze, 6 par', description: 'Ocieplane rękawice robocze z antypoślizgową powłoką lateksową, w których palce pozostają ciepłe i sprawne. Rozmiar wybierasz przy składaniu zamówienia.' },
      de: { name: 'Winter-Arbeitshandschuhe, 6 Paar', description: 'Gefütterte Arbeitshandschuhe mit griffiger Latexbeschichtung, die die Finger warm und beweglich halten. Die Größe wählen Sie bei der Bestellung.' },
    },
  },
  {
    code: 'gel-knee-pads', category: 'tools-workwear', type: 'physical', pricePoints: 21_000, stock: 100,
    texts: {
      en: { name: 'Professional knee pads', description: 'Gel knee pads with a hard shell and wide straps, made for long days of flooring and tiling.' },
      sv: { name: 'Knäskydd för proffs', description: 'Knäskydd med gelkudde, hårt skal och breda remmar – gjorda för långa dagar med golvläggning och plattsättning.' },
      nb: { name: 'Knebeskyttere for proffer', description: 'Knebeskyttere med gelpute, hardt skall og brede stropper – laget for lange dager med gulvlegging og flislegging.' },
      pl: { name: 'Profesjonalne nakolanniki', description: 'Nakolanniki z wkładką żelową, twardą skorupą i szerokimi paskami, stworzone na długie dni układania podłóg i płytek.' },
      de: { name: 'Profi-Knieschoner', description: 'Knieschoner mit Gelpolster, harter Schale und breiten Riemen – gemacht für lange Tage beim Boden- und Fliesenlegen.' },
    },
  },
  {
    code: 'job-site-radio', category: 'tools-workwear', type: 'physical', pricePoints: 108_000, stock: 30,
    texts: {
      en: { name: 'Job-site radio', description: 'Rugged radio with DAB+, FM and Bluetooth that runs on mains power or on 18 V tool batteries (not included).' },
      sv: { name: 'Byggradio', description: 'Tålig radio med DAB+, FM och Bluetooth som går på nätström eller på 18 V-verktygsbatterier (ingår inte).' },
      nb: { name: 'Byggeplassradio', description: 'Robust radio med DAB+, FM og Bluetooth som går på strøm fra stikkontakten eller på 18 V verktøybatterier (følger ikke med).' },
      pl: { name: 'Radio budowlane', description: 'Wytrzymałe radio z DAB+, FM i Bluetooth, zasilane z sieci lub z akumulatorów narzędziowych 18 V (brak w zestawie).' },
      de: { name: 'Baustellenradio', description: 'Robustes Radio mit DAB+, UKW und Bluetooth für Netzbetrieb oder 18-V-Werkzeugakkus (nicht im Lieferumfang).' },
    },
  },
  {
    code: 'craftsman-trousers', category: 'tools-workwear', type: 'physical', pricePoints: 54_000, stock: 150, limitPerMember: 2, limitPeriod: 'year',
    texts: {
      en: { name: 'Craftsman trousers with holster pockets', description: 'Stretch work trousers with holster pockets, knee-pad pockets and reinforced knees. Choose your size when ordering.' },
      sv: { name: 'Hantverksbyxor med hängfickor', description: 'Arbetsbyxor i stretch med hängfickor, knäskyddsfickor och förstärkta knän. Välj storlek när du beställer.' },
      nb: { name: 'Håndverksbukse med hengelommer', description: 'Arbeidsbukse i stretch med hengelommer, lommer til knebeskyttere og forsterkede knær. Velg størrelse når du bestiller.' },
      pl: { name: 'Spodnie robocze z kieszeniami kaburowymi', description: 'Elastyczne spodnie robocze z kieszeniami kaburowymi, kieszeniami na nakolanniki i wzmocnionymi kolanami. Rozmiar wybierasz przy składaniu zamówienia.' },
      de: { name: 'Handwerkerhose mit Holstertaschen', description: 'Stretch-Arbeitshose mit Holstertaschen, Kniepolstertaschen und verstärkten Knien. Die Größe wählen Sie bei der Bestellung.' },
    },
  },
  {
    code: 'inspection-camera', category: 'tools-workwear', type: 'physical', pricePoints: 89_000, stock: 30, segments: ['installer'],
    texts: {
      en: { name: 'Inspection camera', description: 'Handheld camera with a 5 m flexible probe and a built-in screen for looking into pipes, drains and wall cavities.' },
      sv: { name: 'Inspektionskamera', description: 'Handhållen kamera med 5 m böjlig sond och inbyggd skärm för att se in i rör, avlopp och hålrum i väggar.' },
      nb: { name: 'Inspeksjonskamera', description: 'Håndholdt kamera med 5 m bøyelig sonde og innebygd skjerm for å se inn i rør, avløp og hulrom i vegger.' },
      pl: { name: 'Kamera inspekcyjna', description: 'Ręczna kamera z elastyczną sondą 5 m i wbudowanym ekranem do zaglądania w rury, odpływy i przestrzenie w ścianach.' },
      de: { name: 'Inspektionskamera', description: 'Handkamera mit 5 m langer flexibler Sonde und eingebautem Bildschirm für den Blick in Rohre, Abflüsse und Hohlwände.' },
    },
  },
  {
    code: 'extended-tool-warranty', category: 'tools-workwear', type: 'content', pricePoints: 9_000, stock: null,
    texts: {
      en: { name: 'Extended power-tool warranty', description: 'Two extra years of warranty on one power tool bought from Nordbygg. Register the tool’s serial number after ordering.' },
      sv: { name: 'Förlängd garanti på elverktyg', description: 'Två extra års garanti på ett elverktyg som du har köpt hos Nordbygg. Registrera verktygets serienummer efter beställningen.' },
      nb: { name: 'Forlenget garanti på elektroverktøy', description: 'To ekstra års garanti på ett elektroverktøy du har kjøpt hos Nordbygg. Registrer serienummeret til verktøyet etter bestillingen.' },
      pl: { name: 'Przedłużona gwarancja na elektronarzędzie', description: 'Dwa dodatkowe lata gwarancji na jedno elektronarzędzie kupione w Nordbygg. Po złożeniu zamówienia zarejestruj numer seryjny narzędzia.' },
      de: { name: 'Garantieverlängerung für Elektrowerkzeuge', description: 'Zwei zusätzliche Jahre Garantie auf ein bei Nordbygg gekauftes Elektrowerkzeug. Registrieren Sie nach der Bestellung die Seriennummer.' },
    },
  },

  // ── Home & leisure ────────────────────────────────────────────────────────────────────────────
  {
    code: 'summer-portable-gas-grill', category: 'home-leisure', type: 'physical', pricePoints: 59_000, stock: 60,
    validFrom: '2026-05-01', validUntil: '2026-06-30',
    texts: {
      en: { name: 'Portable gas grill (summer campaign)', description: 'Compact gas grill with a cast-iron grate that fits in the car for the summer holiday. Campaign price until 30 June.' },
      sv: { name: 'Portabel gasolgrill (sommarkampanj)', description: 'Kompakt gasolgrill med galler i gjutjärn som får plats i bilen på semestern. Kampanjpris till och med 30 juni.' },
      nb: { name: 'Bærbar gassgrill (sommerkampanje)', description: 'Kompakt gassgrill med grillrist i støpejern som får plass i bilen på ferien. Kampanjepris til og med 30. juni.' },
      pl: { name: 'Przenośny grill gazowy (kampania letnia)', description: 'Kompaktowy grill gazowy z żeliwnym rusztem, który łatwo zabierzesz samochodem na wakacje. Cena promocyjna do 30 czerwca.' },
      de: { name: 'Tragbarer Gasgrill (Sommeraktion)', description: 'Kompakter Gasgrill mit gusseisernem Rost, der im Auto mit in den Sommerurlaub passt. Aktionspreis bis 30. Juni.' },
    },
  },
  {
    code: 'bean-to-cup-coffee-machine', category: 'home-leisure', type: 'physical', pricePoints: 259_000, stock: 15, minTier: 'silver',
    texts: {
      en: { name: 'Bean-to-cup coffee machine', description: 'Fully automatic coffee machine with a milk frother for the office or the site hut. It grinds fresh beans for every cup.' },
      sv: { name: 'Helautomatisk kaffemaskin', description: 'Helautomatisk kaffemaskin med mjölkskummare för kontoret eller bodan. Den maler färska bönor till varje kopp.' },
      nb: { name: 'Helautomatisk kaffemaskin', description: 'Helautomatisk kaffemaskin med melkeskummer til kontoret eller brakka. Den maler ferske bønner til hver kopp.' },
      pl: { name: 'Automatyczny ekspres do kawy', description: 'Automatyczny ekspres ze spieniaczem mleka do biura lub kontenera socjalnego na budowie. Do każdej filiżanki miele świeże ziarna.' },
      de: { name: 'Kaffeevollautomat', description: 'Kaffeevollautomat mit Milchaufschäumer für das Büro oder den Bauwagen. Er mahlt für jede Tasse frische Bohnen.' },
    },
  },
  {
    code: 'kitchen-outdoor-knife-set', category: 'home-leisure', type: 'physical', pricePoints: 62_000, stock: 60,
    texts: {
      en: { name: 'Kitchen and outdoor knife set', description: 'Three stainless-steel kitchen knives and a sturdy outdoor knife with a sheath, in a gift box.' },
      sv: { name: 'Knivset för kök och friluftsliv', description: 'Tre köksknivar i rostfritt stål och en kraftig friluftskniv med slida, i presentförpackning.' },
      nb: { name: 'Knivsett for kjøkken og friluftsliv', description: 'Tre kjøkkenkniver i rustfritt stål og en solid tollekniv med slire, i gaveeske.' },
      pl: { name: 'Zestaw noży kuchennych i turystycznych', description: 'Trzy noże kuchenne ze stali nierdzewnej i solidny nóż turystyczny z pochwą, w pudełku prezentowym.' },
      de: { name: 'Küchen- und Outdoor-Messerset', description: 'Drei Küchenmesser aus rostfreiem Stahl und ein robustes Outdoormesser mit Scheide, in einer Geschenkbox.' },
    },
  },
  {
    code: 'outdoor-pizza-oven', category: 'home-leisure', type: 'physical', pricePoints: 179_000, stock: 20,
    texts: {
      en: { name: 'Outdoor pizza oven', description: 'Gas-fired pizza oven that reaches 500 °C in about 20 minutes and bakes a pizza in 90 seconds.' },
      sv: { name: 'Pizzaugn för utomhusbruk', description: 'Gasoldriven pizzaugn som når 500 °C på cirka 20 minuter och gräddar en pizza på 90 sekunder.' },
      nb: { name: 'Pizzaovn til utebruk', description: 'Gassdrevet pizzaovn som når 500 °C på omtrent 20 minutter og steker en pizza på 90 sekunder.' },
      pl: { name: 'Ogrodowy piec do pizzy', description: 'Gazowy piec do pizzy, który w około 20 minut nagrzewa się do 500 °C i piecze pizzę w 90 sekund.' },
      de: { name: 'Outdoor-Pizzaofen', description: 'Gasbetriebener Pizzaofen, der in rund 20 Minuten 500 °C erreicht und eine Pizza in 90 Sekunden backt.' },
    },
  },
  {
    code: 'spring-pressure-washer', category: 'home-leisure', type: 'physical', pricePoints: 109_000, stock: 40,
    validFrom: '2027-03-01', validUntil: '2027-05-31',
    texts: {
      en: { name: 'Pressure washer (spring offer)', description: '140 bar pressure washer with a patio cleaner and a foam nozzle, ready for the spring clean of decks and driveways. Available from 1 March.' },
      sv: { name: 'Högtryckstvätt (vårerbjudande)', description: 'Högtryckstvätt på 140 bar med altantvätt och skummunstycke, redo för vårstädningen av trall och uppfart. Kan beställas från 1 mars.' },
      nb: { name: 'Høytrykksspyler (vårtilbud)', description: 'Høytrykksspyler på 140 bar med terrassevasker og skumdyse, klar for vårrengjøringen av terrasse og innkjørsel. Kan bestilles fra 1. mars.' },
      pl: { name: 'Myjka ciśnieniowa (oferta wiosenna)', description: 'Myjka ciśnieniowa 140 bar ze szczotką do tarasów i dyszą pianową – gotowa na wiosenne porządki na tarasie i podjeździe. Dostępna od 1 marca.' },
      de: { name: 'Hochdruckreiniger (Frühjahrsangebot)', description: 'Hochdruckreiniger mit 140 bar, Flächenreiniger und Schaumdüse – bereit für den Frühjahrsputz von Terrasse und Einfahrt. Bestellbar ab 1. März.' },
    },
  },
  {
    code: 'electric-cool-box', category: 'home-leisure', type: 'physical', pricePoints: 49_000, stock: 50,
    texts: {
      en: { name: 'Electric cool box 12/230 V', description: '24-litre cool box that runs on 12 V in the van and on 230 V at home, keeping your lunch cold all day.' },
      sv: { name: 'Kylbox 12/230 V', description: 'Kylbox på 24 liter som går på 12 V i bilen och 230 V hemma och håller lunchen kall hela dagen.' },
      nb: { name: 'Kjøleboks 12/230 V', description: 'Kjøleboks på 24 liter som går på 12 V i bilen og 230 V hjemme og holder matpakken kald hele dagen.' },
      pl: { name: 'Lodówka turystyczna 12/230 V', description: 'Lodówka turystyczna o pojemności 24 litrów, zasilana z gniazda 12 V w samochodzie i z sieci 230 V w domu – drugie śniadanie pozostaje chłodne przez cały dzień.' },
      de: { name: 'Elektrische Kühlbox 12/230 V', description: 'Kühlbox mit 24 Litern, die im Transporter an 12 V und zu Hause an 230 V läuft und das Mittagessen den ganzen Tag kühl hält.' },
    },
  },
  {
    code: 'spinning-rod-set', category: 'home-leisure', type: 'physical', pricePoints: 45_000, stock: 50,
    texts: {
      en: { name: 'Spinning rod and reel set', description: 'A 2.4 m spinning rod with a matching reel, line and a box of lures – for pike, perch or sea trout from the shore.' },
      sv: { name: 'Spinnspö med rulle', description: 'Spinnspö på 2,4 meter med rulle, lina och en ask med beten – för gädda, abborre eller havsöring från land.' },
      nb: { name: 'Fiskestang med snelle', description: 'Haspelstang på 2,4 meter med snelle, sene og en eske med sluk – for gjedde, abbor eller sjøørret fra land.' },
      pl: { name: 'Zestaw spinningowy', description: 'Wędka spinningowa 2,4 m z kołowrotkiem, żyłką i pudełkiem przynęt – na szczupaka, okonia lub troć wędrowną z brzegu.' },
      de: { name: 'Spinnruten-Set', description: 'Spinnrute mit 2,4 m, passender Rolle, Schnur und einer Box Köder – für Hecht, Barsch oder Meerforelle vom Ufer aus.' },
    },
  },
  {
    code: 'steel-thermos-set', category: 'home-leisure', type: 'physical', pricePoints: 22_000, stock: 200,
    texts: {
      en: { name: 'Steel thermos and food jar', description: 'A 0.75-litre vacuum flask and a 0.5-litre food jar in stainless steel that keep coffee and lunch hot through a cold working day.' },
      sv: { name: 'Termos och mattermos i stål', description: 'Termos på 0,75 liter och mattermos på 0,5 liter i rostfritt stål som håller kaffet och lunchen varma en hel kall arbetsdag.' },
      nb: { name: 'Termos og mattermos i stål', description: 'Termos på 0,75 liter og mattermos på 0,5 liter i rustfritt stål som holder kaffen og lunsjen varm gjennom en kald arbeidsdag.' },
      pl: { name: 'Termos i termos obiadowy', description: 'Termos 0,75 l i termos obiadowy 0,5 l ze stali nierdzewnej, dzięki którym kawa i obiad pozostają gorące przez cały mroźny dzień pracy.' },
      de: { name: 'Thermoskanne und Speisegefäß', description: 'Isolierflasche mit 0,75 Litern und Speisegefäß mit 0,5 Litern aus Edelstahl, die Kaffee und Essen einen kalten Arbeitstag lang heiß halten.' },
    },
  },

  // ── Experiences & courses ─────────────────────────────────────────────────────────────────────
  {
    code: 'ice-hockey-stockholm-2027', category: 'experiences', type: 'experience', pricePoints: 29_000, stock: 24,
    countries: ['SE'], limitPerMember: 2, limitPeriod: 'lifetime', eventDate: '2027-01-23T17:00:00Z',
    texts: {
      en: { name: 'Ice hockey in Stockholm, 23 January 2027', description: 'A seat at a top-league game in Stockholm with dinner in the lounge before face-off. One unit is one seat, and seats are limited.' },
      sv: { name: 'Ishockey i Stockholm 23 januari 2027', description: 'En plats på en match i högsta serien i Stockholm med middag i loungen före nedsläpp. Varje enhet är en plats och antalet platser är begränsat.' },
      nb: { name: 'Ishockey i Stockholm 23. januar 2027', description: 'Plass på en kamp i den øverste svenske serien i Stockholm, med middag i loungen før kampstart. Hver enhet er én plass, og antallet plasser er begrenset.' },
      pl: { name: 'Hokej na lodzie w Sztokholmie, 23 stycznia 2027', description: 'Miejsce na meczu najwyższej ligi w Sztokholmie z kolacją w loży przed rozpoczęciem gry. Jedna sztuka to jedno miejsce, a liczba miejsc jest ograniczona.' },
      de: { name: 'Eishockey in Stockholm am 23. Januar 2027', description: 'Ein Platz bei einem Spiel der höchsten Liga in Stockholm mit Abendessen in der Lounge vor dem ersten Bully. Pro Einheit ein Platz; die Plätze sind begrenzt.' },
    },
  },
  {
    code: 'ice-hockey-oslo-2027', category: 'experiences', type: 'experience', pricePoints: 29_000, stock: 16,
    countries: ['NO'], limitPerMember: 2, limitPeriod: 'lifetime', eventDate: '2027-02-06T17:00:00Z',
    texts: {
      en: { name: 'Ice hockey in Oslo, 6 February 2027', description: 'A seat at a top-division game in Oslo with dinner in the lounge before face-off. One unit is one seat, and seats are limited.' },
      sv: { name: 'Ishockey i Oslo 6 februari 2027', description: 'En plats på en match i Norges högsta serie i Oslo med middag i loungen före nedsläpp. Varje enhet är en plats och antalet platser är begränsat.' },
      nb: { name: 'Ishockey i Oslo 6. februar 2027', description: 'Plass på en kamp i øverste divisjon i Oslo, med middag i loungen før kampstart. Hver enhet er én plass, og antallet plasser er begrenset.' },
      pl: { name: 'Hokej na lodzie w Oslo, 6 lutego 2027', description: 'Miejsce na meczu najwyższej ligi w Oslo z kolacją w loży przed rozpoczęciem gry. Jedna sztuka to jedno miejsce, a liczba miejsc jest ograniczona.' },
      de: { name: 'Eishockey in Oslo am 6. Februar 2027', description: 'Ein Platz bei einem Spiel der höchsten Liga in Oslo mit Abendessen in der Lounge vor dem ersten Bully. Pro Einheit ein Platz; die Plätze sind begrenzt.' },
    },
  },
  {
    code: 'academy-wet-room-course', category: 'experiences', type: 'experience', pricePoints: 25_000, stock: 16,
    countries: ['SE'], segments: ['builder', 'installer'], eventDate: '2027-02-10T07:00:00Z',
    texts: {
      en: { name: 'Wet-room course at Nordbygg Academy', description: 'Two-day course on waterproofing bathrooms to the Swedish industry rules, ending with a certificate. Lunch and course materials included; 10–11 February 2027 in Gothenburg.' },
      sv: { name: 'Våtrumskurs på Nordbyggakademin', description: 'Tvådagarskurs i tätskikt och våtrumsarbete enligt branschreglerna, med intyg. Lunch och kursmaterial ingår; 10–11 februari 2027 i Göteborg.' },
      nb: { name: 'Våtromskurs på Nordbygg-akademiet', description: 'Todagerskurs i membran og våtromsarbeid etter de svenske bransjereglene, med kursbevis. Lunsj og kursmateriell er inkludert; 10.–11. februar 2027 i Göteborg.' },
      pl: { name: 'Szkolenie z hydroizolacji w Akademii Nordbygg', description: 'Dwudniowe szkolenie z hydroizolacji łazienek zgodnie ze szwedzkimi zasadami branżowymi, zakończone certyfikatem. Obiad i materiały szkoleniowe w cenie; 10–11 lutego 2027 w Göteborgu.' },
      de: { name: 'Nassraumkurs an der Nordbygg-Akademie', description: 'Zweitägiger Kurs zur Abdichtung von Bädern nach den schwedischen Branchenregeln, mit Zertifikat. Mittagessen und Kursunterlagen inklusive; 10.–11. Februar 2027 in Göteborg.' },
    },
  },
  {
    code: 'spa-weekend-for-two', category: 'experiences', type: 'experience', pricePoints: 169_000, stock: null,
    minTier: 'silver', limitPerMember: 1, limitPeriod: 'year',
    texts: {
      en: { name: 'Spa weekend for two', description: 'One night at a spa hotel with dinner, breakfast and free access to the spa for two people. The voucher is valid for twelve months.' },
      sv: { name: 'Spahelg för två', description: 'En natt på spahotell med middag, frukost och fri tillgång till spa för två personer. Presentkortet gäller i tolv månader.' },
      nb: { name: 'Spahelg for to', description: 'Én natt på spahotell med middag, frokost og fri tilgang til spaavdelingen for to personer. Gavekortet gjelder i tolv måneder.' },
      pl: { name: 'Weekend w spa dla dwojga', description: 'Nocleg w hotelu spa z kolacją, śniadaniem i nieograniczonym dostępem do strefy spa dla dwóch osób. Voucher jest ważny przez dwanaście miesięcy.' },
      de: { name: 'Wellnesswochenende für zwei', description: 'Eine Übernachtung im Spa-Hotel mit Abendessen, Frühstück und freiem Zugang zum Wellnessbereich für zwei Personen. Der Gutschein ist zwölf Monate gültig.' },
    },
  },
  {
    code: 'lofoten-fishing-trip', category: 'experiences', type: 'experience', pricePoints: 240_000, stock: 5,
    minTier: 'gold', limitPerAccount: 2, limitPeriod: 'year', eventDate: '2027-06-08T08:00:00Z',
    texts: {
      en: { name: 'Fishing trip to Lofoten', description: 'Three nights in a fisherman’s cabin in Lofoten with sea fishing for cod and halibut, including flights, guide and boat. 8–11 June 2027.' },
      sv: { name: 'Fisketur till Lofoten', description: 'Tre nätter i rorbu i Lofoten med havsfiske efter torsk och hälleflundra, inklusive flyg, guide och båt. 8–11 juni 2027.' },
      nb: { name: 'Fisketur til Lofoten', description: 'Tre netter i rorbu i Lofoten med havfiske etter torsk og kveite, inkludert fly, guide og båt. 8.–11. juni 2027.' },
      pl: { name: 'Wyprawa wędkarska na Lofoty', description: 'Trzy noce w tradycyjnej chacie rybackiej na Lofotach i morskie połowy dorsza oraz halibuta, z przelotem, przewodnikiem i łodzią. 8–11 czerwca 2027.' },
      de: { name: 'Angelreise auf die Lofoten', description: 'Drei Nächte in einer traditionellen Fischerhütte auf den Lofoten mit Hochseeangeln auf Dorsch und Heilbutt, inklusive Flug, Guide und Boot. 8.–11. Juni 2027.' },
    },
  },
  {
    code: 'partner-trip-lisbon-2027', category: 'experiences', type: 'experience', pricePoints: 400_000, stock: 4,
    minTier: 'platinum', limitPerAccount: 1, limitPeriod: 'year', eventDate: '2027-09-22T06:00:00Z',
    texts: {
      en: { name: 'Partner trip to Lisbon', description: 'Four days in Lisbon with other platinum partners: a visit to a tile factory, a day by the ocean and a gala dinner. Flights and hotel included; 22–25 September 2027.' },
      sv: { name: 'Partnerresa till Lissabon', description: 'Fyra dagar i Lissabon tillsammans med andra platinapartner: besök på en kakelfabrik, en dag vid havet och galamiddag. Flyg och hotell ingår; 22–25 september 2027.' },
      nb: { name: 'Partnertur til Lisboa', description: 'Fire dager i Lisboa sammen med andre platinapartnere: besøk på en flisfabrikk, en dag ved havet og gallamiddag. Fly og hotell er inkludert; 22.–25. september 2027.' },
      pl: { name: 'Wyjazd partnerski do Lizbony', description: 'Cztery dni w Lizbonie z innymi partnerami na poziomie platynowym: wizyta w fabryce płytek, dzień nad oceanem i uroczysta kolacja. Przelot i hotel w cenie; 22–25 września 2027.' },
      de: { name: 'Partnerreise nach Lissabon', description: 'Vier Tage in Lissabon mit anderen Platin-Partnern: Besuch einer Fliesenfabrik, ein Tag am Meer und ein Galadinner. Flug und Hotel inklusive; 22.–25. September 2027.' },
    },
  },
  {
    code: 'kayak-day-for-two', category: 'experiences', type: 'experience', pricePoints: 39_000, stock: null,
    texts: {
      en: { name: 'Kayak day for two', description: 'A full day’s rental of a double kayak with paddles, life jackets and a dry bag at one of our partner rental places along the coast. Valid May to September.' },
      sv: { name: 'Kajakdag för två', description: 'Hyr en dubbelkajak en hel dag med paddlar, flytvästar och vattentät packpåse hos någon av våra uthyrare längs kusten. Gäller maj–september.' },
      nb: { name: 'Kajakkdag for to', description: 'Lei en tomannskajakk en hel dag med padleårer, redningsvester og vanntett pakkpose hos en av våre utleiepartnere langs kysten. Gjelder mai–september.' },
      pl: { name: 'Dzień w kajaku dla dwojga', description: 'Całodniowe wypożyczenie kajaka dwuosobowego z wiosłami, kamizelkami ratunkowymi i wodoszczelnym workiem w jednej z naszych partnerskich wypożyczalni na wybrzeżu. Ważne od maja do września.' },
      de: { name: 'Kajaktag für zwei', description: 'Ein ganzer Tag im Zweierkajak mit Paddeln, Schwimmwesten und wasserdichtem Packsack bei einem unserer Verleihpartner an der Küste. Gültig von Mai bis September.' },
    },
  },
  {
    code: 'webinar-building-regulations', category: 'experiences', type: 'content', pricePoints: 1_500, stock: null,
    countries: ['SE'], limitPerMember: 1, limitPeriod: 'lifetime',
    texts: {
      en: { name: 'Webinar recording: the new building regulations', description: 'A one-hour recording in which our technical advisers explain what the new Swedish building regulations change for you on site, with the slides to download.' },
      sv: { name: 'Inspelat webbinarium: de nya byggreglerna', description: 'En timmes inspelning där våra tekniska rådgivare går igenom vad de nya byggreglerna innebär för dig ute på bygget. Bilderna finns att ladda ner.' },
      nb: { name: 'Webinaropptak: de nye svenske byggereglene', description: 'Et timelangt opptak der våre tekniske rådgivere går gjennom hva de nye svenske byggereglene betyr for deg på byggeplassen. Lysbildene kan lastes ned.' },
      pl: { name: 'Nagranie webinaru: nowe przepisy budowlane', description: 'Godzinne nagranie, w którym nasi doradcy techniczni wyjaśniają, co nowe szwedzkie przepisy budowlane zmieniają w pracy na budowie. Slajdy można pobrać.' },
      de: { name: 'Webinar-Aufzeichnung: die neuen Bauvorschriften', description: 'Eine einstündige Aufzeichnung, in der unsere technischen Berater erklären, was die neuen schwedischen Bauvorschriften auf der Baustelle ändern – mit Folien zum Herunterladen.' },
    },
  },

  // ── Gift cards & codes ────────────────────────────────────────────────────────────────────────
  {
    code: 'fuel-card-500', category: 'gift-cards', type: 'code', codeSource: 'pool', pricePoints: 52_000, stock: null, countries: ['SE'],
    texts: {
      en: { name: 'Fuel card, 500 kr', description: 'Prepaid card for fuel or charging at filling stations all over Sweden. The code is emailed to you right after ordering.' },
      sv: { name: 'Drivmedelskort 500 kr', description: 'Förbetalt kort för tankning eller laddning på stationer i hela Sverige. Koden skickas via e-post direkt efter beställningen.' },
      nb: { name: 'Drivstoffkort 500 kr', description: 'Forhåndsbetalt kort for drivstoff eller lading på stasjoner over hele Sverige. Koden sendes på e-post rett etter bestillingen.' },
      pl: { name: 'Karta paliwowa, 500 kr', description: 'Przedpłacona karta na paliwo lub ładowanie auta na stacjach w całej Szwecji. Kod otrzymasz e-mailem zaraz po złożeniu zamówienia.' },
      de: { name: 'Tankkarte über 500 kr', description: 'Prepaid-Karte zum Tanken oder Laden an Stationen in ganz Schweden. Der Code kommt direkt nach der Bestellung per E-Mail.' },
    },
  },
  {
    code: 'nordbygg-gift-card-1000', category: 'gift-cards', type: 'code', codeSource: 'generated', pricePoints: 100_000, stock: null,
    texts: {
      en: { name: 'Nordbygg gift card, 1 000 kr', description: 'Spend it on anything at our trade counters and in the web shop, for work or for your own house. Valid for two years.' },
      sv: { name: 'Nordbygg presentkort 1 000 kr', description: 'Handla vad du vill i våra butiker och i webbutiken, till jobbet eller till ditt eget hus. Gäller i två år.' },
      nb: { name: 'Nordbygg gavekort 1 000 kr', description: 'Handle hva du vil i butikkene våre og i nettbutikken, til jobben eller til ditt eget hus. Gjelder i to år.' },
      pl: { name: 'Karta podarunkowa Nordbygg, 1000 kr', description: 'Na dowolne zakupy w naszych punktach sprzedaży i w sklepie internetowym – do pracy albo do własnego domu. Ważna przez dwa lata.' },
      de: { name: 'Nordbygg-Geschenkkarte über 1.000 kr', description: 'Für alles in unseren Fachmärkten und im Onlineshop, ob für die Arbeit oder das eigene Haus. Zwei Jahre gültig.' },
    },
  },
  {
    code: 'cinema-tickets-2', category: 'gift-cards', type: 'code', codeSource: 'pool', pricePoints: 29_000, stock: null,
    texts: {
      en: { name: 'Two cinema tickets', description: 'Two e-tickets for any regular screening at cinemas across Sweden and Norway. Valid for twelve months.' },
      sv: { name: 'Två biobiljetter', description: 'Två e-biljetter till valfri ordinarie föreställning på biografer i hela Sverige och Norge. Gäller i tolv månader.' },
      nb: { name: 'To kinobilletter', description: 'To e-billetter til valgfri ordinær forestilling på kinoer i hele Norge og Sverige. Gjelder i tolv måneder.' },
      pl: { name: 'Dwa bilety do kina', description: 'Dwa e-bilety na dowolny zwykły seans w kinach w całej Szwecji i Norwegii. Ważne przez dwanaście miesięcy.' },
      de: { name: 'Zwei Kinotickets', description: 'Zwei E-Tickets für eine reguläre Vorstellung Ihrer Wahl in Kinos in ganz Schweden und Norwegen. Zwölf Monate gültig.' },
    },
  },
  {
    code: 'streaming-3-months', category: 'gift-cards', type: 'code', codeSource: 'pool', pricePoints: 32_000, stock: null,
    texts: {
      en: { name: 'Streaming, 3 months', description: 'A code for three months of a film and series streaming service. Works for new and existing subscribers.' },
      sv: { name: 'Streaming i 3 månader', description: 'En kod för tre månaders streaming av filmer och serier. Fungerar för både nya och befintliga abonnenter.' },
      nb: { name: 'Strømming i 3 måneder', description: 'En kode for tre måneders strømming av filmer og serier. Gjelder både nye og eksisterende abonnenter.' },
      pl: { name: 'Streaming na 3 miesiące', description: 'Kod na trzy miesiące dostępu do serwisu streamingowego z filmami i serialami. Działa zarówno dla nowych, jak i obecnych abonentów.' },
      de: { name: 'Streaming für 3 Monate', description: 'Ein Code für drei Monate Film- und Serienstreaming. Gilt für neue und bestehende Abonnenten.' },
    },
  },
  {
    code: 'restaurant-gift-card-500', category: 'gift-cards', type: 'code', codeSource: 'pool', pricePoints: 52_000, stock: null, countries: ['SE'],
    texts: {
      en: { name: 'Restaurant gift card, 500 kr', description: 'Use it at more than 1 500 restaurants all over Sweden, from the lunch place round the corner to a proper dinner out.' },
      sv: { name: 'Restaurangpresentkort 500 kr', description: 'Gäller på fler än 1 500 restauranger i hela Sverige, från lunchstället runt hörnet till en riktig middag ute.' },
      nb: { name: 'Restaurantgavekort 500 kr', description: 'Gjelder på mer enn 1 500 restauranter i hele Sverige, fra lunsjstedet rundt hjørnet til en skikkelig middag ute.' },
      pl: { name: 'Karta podarunkowa do restauracji, 500 kr', description: 'Do wykorzystania w ponad 1500 restauracjach w całej Szwecji – od baru obiadowego za rogiem po elegancką kolację.' },
      de: { name: 'Restaurantgutschein über 500 kr', description: 'Einlösbar in über 1.500 Restaurants in ganz Schweden – vom Mittagstisch um die Ecke bis zum festlichen Abendessen.' },
    },
  },
  {
    code: 'free-site-delivery', category: 'gift-cards', type: 'code', codeSource: 'generated', pricePoints: 18_000, stock: null,
    segments: ['builder'], limitPerAccount: 2, limitPeriod: 'month',
    texts: {
      en: { name: 'Free site delivery', description: 'A code for one free delivery by crane truck straight to your building site. Enter it in the web shop or give it to your sales contact.' },
      sv: { name: 'Fri leverans till bygget', description: 'En kod för en kostnadsfri leverans med kranbil direkt till arbetsplatsen. Ange koden i webbutiken eller lämna den till din säljare.' },
      nb: { name: 'Gratis levering til byggeplassen', description: 'En kode for én gratis levering med kranbil rett til byggeplassen. Oppgi koden i nettbutikken eller gi den til selgeren din.' },
      pl: { name: 'Bezpłatna dostawa na budowę', description: 'Kod na jedną bezpłatną dostawę samochodem z HDS-em prosto na plac budowy. Wpisz go w sklepie internetowym albo przekaż swojemu opiekunowi handlowemu.' },
      de: { name: 'Kostenlose Baustellenlieferung', description: 'Ein Code für eine kostenlose Lieferung per Kranwagen direkt auf Ihre Baustelle. Geben Sie ihn im Onlineshop ein oder nennen Sie ihn Ihrem Ansprechpartner im Vertrieb.' },
    },
  },

  // ── Charity ───────────────────────────────────────────────────────────────────────────────────
  {
    code: 'donation-childhood-cancer', category: 'charity', type: 'charity', pricePoints: 10_000, stock: null, cashValueMinor: 10_000,
    texts: {
      en: { name: 'Donation to childhood cancer research', description: '100 kr goes to a foundation that funds research into childhood cancer and supports the families affected. You receive a donation certificate by email.' },
      sv: { name: 'Gåva till barncancerforskning', description: '100 kr går till en stiftelse som finansierar forskning om cancer hos barn och stöttar de drabbade familjerna. Du får ett gåvobevis via e-post.' },
      nb: { name: 'Gave til forskning på barnekreft', description: '100 kr går til en stiftelse som finansierer forskning på kreft hos barn og støtter familiene som rammes. Du får et gavebevis på e-post.' },
      pl: { name: 'Darowizna na badania nad nowotworami u dzieci', description: '100 kr trafia do fundacji, która finansuje badania nad nowotworami wieku dziecięcego i wspiera rodziny chorych dzieci. Potwierdzenie darowizny otrzymasz e-mailem.' },
      de: { name: 'Spende für die Kinderkrebsforschung', description: '100 kr gehen an eine Stiftung, die die Erforschung von Krebs bei Kindern finanziert und betroffene Familien unterstützt. Sie erhalten eine Spendenbestätigung per E-Mail.' },
    },
  },
  {
    code: 'donation-sea-rescue', category: 'charity', type: 'charity', pricePoints: 5_000, stock: null, cashValueMinor: 5_000,
    texts: {
      en: { name: 'Donation to volunteer sea rescue', description: '50 kr to the volunteer crews who rescue people at sea along the Swedish and Norwegian coasts, around the clock all year.' },
      sv: { name: 'Gåva till frivillig sjöräddning', description: '50 kr till de frivilliga besättningar som räddar människor till sjöss längs Sveriges och Norges kuster, dygnet runt året om.' },
      nb: { name: 'Gave til frivillig sjøredning', description: '50 kr til de frivillige mannskapene som redder folk på sjøen langs kysten av Norge og Sverige, døgnet rundt hele året.' },
      pl: { name: 'Darowizna na ochotnicze ratownictwo morskie', description: '50 kr dla ochotniczych załóg, które przez całą dobę i cały rok ratują ludzi na morzu u wybrzeży Szwecji i Norwegii.' },
      de: { name: 'Spende für die ehrenamtliche Seenotrettung', description: '50 kr für die ehrenamtlichen Crews, die rund um die Uhr und das ganze Jahr über Menschen in Seenot vor den Küsten Schwedens und Norwegens retten.' },
    },
  },

  // ── Credit notes (they credit the company, so only owners and managers may order them) ──────────
  {
    code: 'credit-note-500', category: 'cashback', type: 'cashback', pricePoints: 55_000, stock: null, cashValueMinor: 50_000,
    roles: ['owner', 'manager'], limitPerAccount: 2, limitPeriod: 'quarter',
    texts: {
      en: { name: 'Credit note, 500 kr', description: '500 kr is credited to your company’s account and deducted from your next invoice. Only the company’s owner or a manager can order it.' },
      sv: { name: 'Kreditnota 500 kr', description: '500 kr krediteras företagets konto och dras av på nästa faktura. Kan bara beställas av ägaren eller en chef på företaget.' },
      nb: { name: 'Kreditnota 500 kr', description: '500 kr krediteres firmaets konto og trekkes fra på neste faktura. Kan bare bestilles av eieren eller en leder i firmaet.' },
      pl: { name: 'Nota uznaniowa na 500 kr', description: 'Kwota 500 kr zostanie zapisana na koncie firmy i odliczona od najbliższej faktury. Zamówić ją może wyłącznie właściciel lub kierownik firmy.' },
      de: { name: 'Gutschrift über 500 kr', description: '500 kr werden dem Firmenkonto gutgeschrieben und mit der nächsten Rechnung verrechnet. Bestellen können sie nur Inhaber und Führungskräfte des Unternehmens.' },
    },
  },
  {
    code: 'credit-note-1000', category: 'cashback', type: 'cashback', pricePoints: 105_000, stock: null, cashValueMinor: 100_000,
    roles: ['owner', 'manager'], limitPerAccount: 2, limitPeriod: 'quarter',
    texts: {
      en: { name: 'Credit note, 1 000 kr', description: '1 000 kr is credited to your company’s account and deducted from your next invoice. Only the company’s owner or a manager can order it.' },
      sv: { name: 'Kreditnota 1 000 kr', description: '1 000 kr krediteras företagets konto och dras av på nästa faktura. Kan bara beställas av ägaren eller en chef på företaget.' },
      nb: { name: 'Kreditnota 1 000 kr', description: '1 000 kr krediteres firmaets konto og trekkes fra på neste faktura. Kan bare bestilles av eieren eller en leder i firmaet.' },
      pl: { name: 'Nota uznaniowa na 1000 kr', description: 'Kwota 1000 kr zostanie zapisana na koncie firmy i odliczona od najbliższej faktury. Zamówić ją może wyłącznie właściciel lub kierownik firmy.' },
      de: { name: 'Gutschrift über 1.000 kr', description: '1.000 kr werden dem Firmenkonto gutgeschrieben und mit der nächsten Rechnung verrechnet. Bestellen können sie nur Inhaber und Führungskräfte des Unternehmens.' },
    },
  },
  {
    code: 'credit-note-2500', category: 'cashback', type: 'cashback', pricePoints: 250_000, stock: null, cashValueMinor: 250_000,
    minTier: 'gold', roles: ['owner', 'manager'], limitPerAccount: 1, limitPeriod: 'quarter',
    texts: {
      en: { name: 'Credit note, 2 500 kr', description: '2 500 kr is credited to your company’s account and deducted from your next invoice. For gold and platinum partners; only the owner or a manager can order it.' },
      sv: { name: 'Kreditnota 2 500 kr', description: '2 500 kr krediteras företagets konto och dras av på nästa faktura. För guld- och platinapartner; kan bara beställas av ägaren eller en chef.' },
      nb: { name: 'Kreditnota 2 500 kr', description: '2 500 kr krediteres firmaets konto og trekkes fra på neste faktura. For gull- og platinapartnere; kan bare bestilles av eieren eller en leder.' },
      pl: { name: 'Nota uznaniowa na 2500 kr', description: 'Kwota 2500 kr zostanie zapisana na koncie firmy i odliczona od najbliższej faktury. Dla partnerów złotych i platynowych; zamówić ją może wyłącznie właściciel lub kierownik.' },
      de: { name: 'Gutschrift über 2.500 kr', description: '2.500 kr werden dem Firmenkonto gutgeschrieben und mit der nächsten Rechnung verrechnet. Für Gold- und Platin-Partner; bestellen können sie nur Inhaber und Führungskräfte.' },
    },
  },
];
