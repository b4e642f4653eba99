<?php
/**
 * Building blocks of seed.php: a seeded random generator, text, and the
 * bytes of the media files (images through GD, PDF, WAV, plain text).
 *
 * The generator is our own rather than mt_rand(): WordPress core draws from
 * mt_rand() too (wp_generate_uuid4), which would shift the sequence.
 */

/** xorshift32: small, fast and the same on every PHP build. */
final class WpSyncE2eRng
{
    private int $state;

    public function __construct(int $seed)
    {
        $this->state = ($seed & 0xffffffff) ?: 0x9e3779b9;
    }

    /** A uniform integer in [$min, $max]. */
    public function int(int $min, int $max): int
    {
        $x = $this->state;
        $x ^= ($x << 13) & 0xffffffff;
        $x ^= $x >> 17;
        $x ^= ($x << 5) & 0xffffffff;
        $this->state = $x;
        return $min + ($x % ($max - $min + 1));
    }

    /** True with probability $percent / 100. */
    public function chance(int $percent): bool
    {
        return $this->int(1, 100) <= $percent;
    }

    /**
     * One element of a non-empty list.
     *
     * @template T
     * @param list<T> $items
     * @return T
     */
    public function pick(array $items)
    {
        return $items[$this->int(0, count($items) - 1)];
    }

    /**
     * Up to $count distinct elements of a list, in list order.
     *
     * @template T
     * @param list<T> $items
     * @return list<T>
     */
    public function some(array $items, int $count): array
    {
        $keys = [];
        $count = min($count, count($items));
        while (count($keys) < $count) {
            $keys[$this->int(0, count($items) - 1)] = true;
        }
        ksort($keys);
        return array_map(static fn (int $key) => $items[$key], array_keys($keys));
    }
}

/** Writes lorem-like prose with real words, so slugs and search look real. */
final class WpSyncE2eText
{
    private const WORDS = [
        'garden', 'river', 'coffee', 'morning', 'market', 'bread', 'harbor',
        'winter', 'lantern', 'forest', 'stone', 'window', 'journey', 'paper',
        'orchard', 'silver', 'meadow', 'kitchen', 'island', 'letter', 'copper',
        'valley', 'thunder', 'candle', 'bridge', 'festival', 'recipe', 'studio',
        'library', 'signal', 'compass', 'harvest', 'station', 'canvas', 'velvet',
        'engine', 'pepper', 'glacier', 'mosaic', 'anchor', 'balcony', 'cinnamon',
        'quiet', 'bright', 'slow', 'golden', 'hidden', 'early', 'simple', 'wild',
        'open', 'small', 'local', 'honest', 'patient', 'curious', 'fresh',
        'builds', 'finds', 'keeps', 'makes', 'shares', 'tastes', 'walks',
        'notes', 'maps', 'brews', 'sketches', 'gathers', 'lights', 'mends',
    ];

    public function __construct(private WpSyncE2eRng $rng)
    {
    }

    /** A list of $count words. */
    public function words(int $count): string
    {
        $words = [];
        for ($i = 0; $i < $count; $i++) {
            $words[] = $this->rng->pick(self::WORDS);
        }
        return implode(' ', $words);
    }

    /** A title of a few capitalized words. */
    public function title(int $min = 3, int $max = 7): string
    {
        return ucwords($this->words($this->rng->int($min, $max)));
    }

    /** A sentence-cased paragraph of several sentences. */
    public function paragraph(): string
    {
        $sentences = [];
        $count = $this->rng->int(2, 5);
        for ($i = 0; $i < $count; $i++) {
            $sentences[] = ucfirst($this->words($this->rng->int(6, 14))) . '.';
        }
        return implode(' ', $sentences);
    }
}

/** Encodes a generated picture; $kind is jpeg, png or gif. */
function wp_sync_e2e_image_bytes(WpSyncE2eRng $rng, string $kind, int $width, int $height, string $label): string
{
    $image = imagecreatetruecolor($width, $height);
    $background = imagecolorallocate($image, $rng->int(40, 215), $rng->int(40, 215), $rng->int(40, 215));
    imagefilledrectangle($image, 0, 0, $width, $height, $background);
    for ($i = 0; $i < 6; $i++) {
        $color = imagecolorallocate($image, $rng->int(0, 255), $rng->int(0, 255), $rng->int(0, 255));
        $x = $rng->int(0, $width - 1);
        $y = $rng->int(0, $height - 1);
        imagefilledellipse($image, $x, $y, $rng->int(20, $width), $rng->int(20, $height), $color);
    }
    $ink = imagecolorallocate($image, 255, 255, 255);
    imagestring($image, 5, 12, 12, $label, $ink);
    ob_start();
    match ($kind) {
        'png' => imagepng($image, null, 6),
        'gif' => imagegif($image),
        default => imagejpeg($image, null, 85),
    };
    imagedestroy($image);
    return (string) ob_get_clean();
}

/** A one-page PDF 1.4 with a line of text, built by hand (no library). */
function wp_sync_e2e_pdf_bytes(string $text): string
{
    $escaped = strtr($text, ['\\' => '\\\\', '(' => '\\(', ')' => '\\)']);
    $stream = "BT /F1 18 Tf 72 720 Td ($escaped) Tj ET";
    $objects = [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        '<< /Length ' . strlen($stream) . " >>\nstream\n$stream\nendstream",
        '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ];
    $pdf = "%PDF-1.4\n";
    $offsets = [];
    foreach ($objects as $index => $body) {
        $offsets[] = strlen($pdf);
        $pdf .= ($index + 1) . " 0 obj\n$body\nendobj\n";
    }
    $xref = strlen($pdf);
    $pdf .= 'xref' . "\n0 " . (count($objects) + 1) . "\n0000000000 65535 f \n";
    foreach ($offsets as $offset) {
        $pdf .= sprintf("%010d 00000 n \n", $offset);
    }
    $pdf .= 'trailer' . "\n<< /Size " . (count($objects) + 1) . " /Root 1 0 R >>\nstartxref\n$xref\n%%EOF\n";
    return $pdf;
}

/** Half a second of an 8 kHz, 8-bit mono tone as a RIFF WAVE file. */
function wp_sync_e2e_wav_bytes(int $frequency): string
{
    $rate = 8000;
    $samples = '';
    for ($i = 0; $i < $rate / 2; $i++) {
        $samples .= chr(128 + (int) round(90 * sin(2 * M_PI * $frequency * $i / $rate)));
    }
    $format = pack('vvVVvv', 1, 1, $rate, $rate, 1, 8);
    return 'RIFF' . pack('V', 36 + strlen($samples)) . 'WAVE'
        . 'fmt ' . pack('V', strlen($format)) . $format
        . 'data' . pack('V', strlen($samples)) . $samples;
}

/** Wraps inner HTML in a Gutenberg block comment pair. */
function wp_sync_e2e_block(string $name, string $html, array $attributes = []): string
{
    $attrs = $attributes === [] ? '' : ' ' . wp_json_encode($attributes, JSON_UNESCAPED_SLASHES);
    return "<!-- wp:$name$attrs -->\n$html\n<!-- /wp:$name -->";
}

/**
 * Commits every $size writes: one transaction per write would make MariaDB
 * flush its log thousands of times.
 */
final class WpSyncE2eBatch
{
    private int $pending = 0;

    public function __construct(private wpdb $db, private int $size)
    {
        $this->db->query('START TRANSACTION');
    }

    /** Counts one write, committing and clearing caches when a batch is full. */
    public function tick(): void
    {
        if (++$this->pending < $this->size) {
            return;
        }
        $this->commit();
        // The runtime cache only grows while seeding; nothing reads it back.
        wp_cache_flush();
        $this->db->query('START TRANSACTION');
    }

    /** Commits what is pending. */
    public function commit(): void
    {
        $this->db->query('COMMIT');
        $this->pending = 0;
    }
}
