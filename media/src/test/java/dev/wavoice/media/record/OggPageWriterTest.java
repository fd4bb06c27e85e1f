package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Pages against a file from the reference encoder: {@code opusenc-440hz-100ms.opus} was made by opusenc (opus-tools
 * 0.2, libopus 1.3.1) with {@code opusenc --bitrate 16 --serial 12345} from 100 ms of a 440 Hz tone. Rebuilding its
 * pages from its packets must give the same bytes, CRCs included.
 */
class OggPageWriterTest {

    static byte[] reference() throws IOException {
        try (InputStream in = OggPageWriterTest.class.getResourceAsStream("opusenc-440hz-100ms.opus")) {
            return in.readAllBytes();
        }
    }

    @Test
    void crcOfTheCheckStringIsTheCatalogueValue() {
        // CRC-32/CKSUM (same polynomial, init 0, not reflected) checks "123456789" as 0x765E7680 with a final
        // inversion; Ogg's has none, so its value is the complement.
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(OggCrc.update(0, check, 0, check.length)).isEqualTo(~0x765E7680).isEqualTo(0x89A1897F);
        // POSIX cksum runs the same CRC over the data and then its length (here one byte, 9) and inverts the result:
        // `printf 123456789 | cksum` prints 930766865 (GNU coreutils).
        int withLength = OggCrc.update(OggCrc.update(0, check, 0, check.length), new byte[] {9}, 0, 1);
        assertThat(~withLength & 0xFFFF_FFFFL).isEqualTo(930_766_865L);
        // continuing over a split gives the same
        int half = OggCrc.update(0, check, 0, 4);
        assertThat(OggCrc.update(half, check, 4, 5)).isEqualTo(0x89A1897F);
    }

    /** The definition, a bit at a time: the eight-bytes-a-step code must agree at every length and alignment. */
    static int bitwiseCrc(byte[] b, int offset, int length) {
        int c = 0;
        for (int i = offset; i < offset + length; i++) {
            c ^= (b[i] & 0xFF) << 24;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 0x8000_0000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }
        }
        return c;
    }

    @Test
    void crcAgreesWithTheBitwiseDefinitionAtEveryLengthAndOffset() {
        byte[] data = new byte[300];
        new java.util.Random(3533).nextBytes(data);
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length + offset <= data.length; length += 1 + length / 16) {
                assertThat(OggCrc.update(0, data, offset, length)).as("offset %d length %d", offset, length)
                        .isEqualTo(bitwiseCrc(data, offset, length));
            }
        }
    }

    @Test
    void crcMatchesEveryPageOfTheReferenceFile() throws IOException {
        byte[] file = reference();
        OggPages parsed = OggPages.parse(file);
        assertThat(parsed.pages()).hasSizeGreaterThanOrEqualTo(3);
        for (OggPages.Page p : parsed.pages()) {
            byte[] page = new byte[p.length()];
            System.arraycopy(file, p.offset(), page, 0, p.length());
            page[22] = page[23] = page[24] = page[25] = 0;
            assertThat(OggCrc.update(0, page, 0, page.length)).as("page %d", p.sequence()).isEqualTo(p.crc());
        }
    }

    @Test
    void rebuildingTheReferencePagesGivesTheSameBytes() throws IOException {
        byte[] file = reference();
        OggPages parsed = OggPages.parse(file);
        OggPageWriter writer = new OggPageWriter(12345);
        ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
        for (OggPages.Page p : parsed.pages()) {
            assertThat(p.flags() & OggPage.FLAG_CONTINUED).as("the reference has no packet spanning pages").isZero();
            writer.begin(new OggPage(64 * 1024));
            int pos = 0;
            int start = 0;
            for (int l : p.lacing()) {
                pos += l;
                if (l < 255) {
                    writer.add(p.body(), start, pos - start);
                    start = pos;
                }
            }
            OggPage page = writer.finish(p.granule(), p.flags());
            rebuilt.write(page.bytes, page.start, page.length);
        }
        assertThat(rebuilt.toByteArray()).isEqualTo(file);
        assertThat(writer.pageCount()).isEqualTo(parsed.pages().size());
    }

    @Test
    void lacingOfPacketsAtAndAroundMultiplesOf255() {
        OggPageWriter writer = new OggPageWriter(7);
        OggPage empty = new OggPage(4096);
        writer.begin(empty);
        for (int n : new int[] {0, 254, 255, 256, 510}) {
            writer.add(new byte[n], 0, n);
        }
        OggPage page = writer.finish(960, OggPage.FLAG_LAST);
        byte[] bytes = new byte[page.length];
        System.arraycopy(page.bytes, page.start, bytes, 0, page.length);
        OggPages.Page p = OggPages.parse(bytes).pages().getFirst();
        assertThat(p.lacing()).containsExactly(0, 254, 255, 0, 255, 1, 255, 255, 0);
        assertThat(p.flags()).isEqualTo(OggPage.FLAG_LAST);
        assertThat(p.granule()).isEqualTo(960);
        assertThat(p.serial()).isEqualTo(7);
        assertThat(OggPages.parse(bytes).packets()).extracting(b -> b.length).containsExactly(0, 254, 255, 256, 510);
    }

    @Test
    void aPacketThatWouldOverflowTheSegmentTableDoesNotFit() {
        OggPageWriter writer = new OggPageWriter(1);
        writer.begin(new OggPage(70_000));
        for (int i = 0; i < 254; i++) {
            writer.add(new byte[1], 0, 1);
        }
        assertThat(writer.fits(254)).isTrue();  // one more lacing value
        assertThat(writer.fits(255)).isFalse(); // two more
        assertThat(writer.packets()).isEqualTo(254);
    }
}
