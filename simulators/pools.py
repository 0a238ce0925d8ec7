"""Word pools for generating Indonesian-style names (invented test data).

Nothing here names a real person or company on purpose; combinations are
random. KBLI codes are real KBLI 2020 codes with abbreviated titles.
"""

from __future__ import annotations

MALE_GIVEN: tuple[str, ...] = (
    "Budi", "Agus", "Joko", "Hendra", "Rudi", "Bambang", "Dedi", "Eko", "Fajar",
    "Gunawan", "Hadi", "Iwan", "Yusuf", "Rizky", "Dimas", "Arief", "Teguh",
    "Wahyu", "Andi", "Bayu", "Slamet", "Suryo", "Made", "Ketut", "Irfan",
)  # fmt: skip
FEMALE_GIVEN: tuple[str, ...] = (
    "Siti", "Dewi", "Sri", "Ratna", "Indah", "Putri", "Ayu", "Rina", "Wulan",
    "Fitri", "Nur", "Lestari", "Anisa", "Maya", "Kartika", "Diah", "Yuliana",
    "Retno", "Nia", "Ratih", "Citra", "Ni Luh", "Intan", "Melati",
)  # fmt: skip
SURNAMES: tuple[str, ...] = (
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Setiawan",
    "Nugroho", "Susanto", "Halim", "Siregar", "Nasution", "Simanjuntak",
    "Wibowo", "Purnomo", "Rahmawati", "Hartono", "Gunadi", "Lubis", "Harahap",
    "Syahputra", "Permana", "Utami", "Anggraini", "Sulistyo", "Tanoto",
)  # fmt: skip
#: Titles filed on NIB records but not held by Dukcapil.
PREFIX_TITLES_MALE: tuple[str, ...] = ("Ir.", "Dr.", "H.")
PREFIX_TITLES_FEMALE: tuple[str, ...] = ("Dr.", "Hj.", "Ir.")
SUFFIX_TITLES: tuple[str, ...] = ("S.E.", "S.H.", "M.M.", "S.T.", "M.B.A.")

FOREIGN_NAMES: tuple[str, ...] = (
    "Kenji Tanaka", "Li Wei", "Park Min-jun", "Rajesh Kumar", "Thomas Becker",
    "Tan Boon Keat", "Nguyen Van An", "David Lim",
)  # fmt: skip

POSITIONS_COMPANY: tuple[str, ...] = (
    "Direktur Utama", "Direktur", "Direktur Keuangan", "Direktur Operasional",
    "Komisaris Utama", "Komisaris",
)  # fmt: skip
POSITION_OWNER = "Pemilik"
POSITION_REP_OFFICE = "Kepala Kantor Perwakilan"

NAME_WORDS_A: tuple[str, ...] = (
    "Sinar", "Cahaya", "Mitra", "Bintang", "Karya", "Sumber", "Putra", "Gemilang",
    "Samudra", "Nusantara", "Prima", "Jaya", "Mulia", "Tunas", "Global", "Anugerah",
)  # fmt: skip
NAME_WORDS_B: tuple[str, ...] = (
    "Bahari", "Abadi", "Sejahtera", "Makmur", "Sentosa", "Utama", "Lestari",
    "Perkasa", "Mandiri", "Berkah", "Agung", "Rejeki", "Timur", "Raya", "Indah",
)  # fmt: skip
NAME_SECTORS: tuple[str, ...] = (
    "Logistik", "Niaga", "Ekspor Impor", "Trading", "Shipping", "Kargo",
    "Industri", "Pangan", "Tekstil", "Teknologi", "Distribusi",
)  # fmt: skip
FOREIGN_COMPANY_STEMS: tuple[str, ...] = (
    "Pacific Rim Trading", "Osaka Marine Supply", "Hanseatic Freight",
    "Straits Commodities", "Mekong Agro Export", "Sunrise Electronics",
)  # fmt: skip

KBLI: tuple[tuple[str, str], ...] = (
    ("46100", "Perdagangan Besar atas Dasar Balas Jasa (Fee) atau Kontrak"),
    ("46311", "Perdagangan Besar Beras"),
    ("46411", "Perdagangan Besar Tekstil"),
    ("46900", "Perdagangan Besar Berbagai Macam Barang"),
    ("49431", "Angkutan Bermotor untuk Barang Umum"),
    ("52101", "Pergudangan dan Penyimpanan"),
    ("52240", "Penanganan Kargo (Bongkar Muat Barang)"),
    ("52291", "Jasa Pengurusan Transportasi"),
    ("13111", "Industri Persiapan Serat Tekstil"),
    ("62019", "Aktivitas Pemrograman Komputer Lainnya"),
    ("70209", "Aktivitas Konsultasi Manajemen Lainnya"),
)
