package dev.nube.engine.compute.keys;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** The SSH wire encoding (RFC 4251 section 5): uint32, string and mpint, for writing and for strict reading. */
final class SshBuffer {
    private SshBuffer() {
    }

    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer uint32(long value) {
            out.write((int) (value >>> 24));
            out.write((int) (value >>> 16));
            out.write((int) (value >>> 8));
            out.write((int) value);
            return this;
        }

        Writer string(byte[] value) {
            uint32(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer string(String value) {
            return string(value.getBytes(StandardCharsets.UTF_8));
        }

        Writer mpint(BigInteger value) {
            return string(value.toByteArray());
        }

        Writer raw(byte[] value) {
            out.writeBytes(value);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Reads a buffer; any read past the end throws {@link Truncated}. */
    static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        long uint32() {
            need(4);
            long value = ((data[pos] & 0xffL) << 24) | ((data[pos + 1] & 0xffL) << 16)
                    | ((data[pos + 2] & 0xffL) << 8) | (data[pos + 3] & 0xffL);
            pos += 4;
            return value;
        }

        byte[] string() {
            long length = uint32();
            if (length > data.length - pos) {
                throw new Truncated();
            }
            byte[] value = new byte[(int) length];
            System.arraycopy(data, pos, value, 0, value.length);
            pos += value.length;
            return value;
        }

        String utf8() {
            return new String(string(), StandardCharsets.UTF_8);
        }

        BigInteger mpint() {
            byte[] value = string();
            return value.length == 0 ? BigInteger.ZERO : new BigInteger(value);
        }

        boolean atEnd() {
            return pos == data.length;
        }

        private void need(int count) {
            if (data.length - pos < count) {
                throw new Truncated();
            }
        }
    }

    /** The data ended before the structure did. */
    static final class Truncated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Truncated() {
            super("truncated", null, false, false);
        }
    }
}
