package io.imgcast.cli;

import io.imgcast.util.Units;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values with units, converted while picocli parses, so a bad or ambiguous one is a usage
 * error (exit 2) naming the readings. Network rates are in bits per second, sizes and read rates
 * in bytes ({@link Units#parse}).
 */
final class UnitConverters {
    private UnitConverters() {}

    /** A network rate in bits per second, at least 100 kbit/s. */
    static final class BitRate implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v = UnitConverters.convert(value, Units.Quantity.BIT_RATE);
            if (v < 100_000) throw new TypeConversionException("rate '" + value + "' is too low (at least 100kbit)");
            return v;
        }
    }

    /** A rate in bytes per second. */
    static final class ByteRate implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return UnitConverters.convert(value, Units.Quantity.BYTE_RATE);
        }
    }

    /** A size in bytes. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return UnitConverters.convert(value, Units.Quantity.SIZE);
        }
    }

    static long convert(String value, Units.Quantity q) {
        try {
            return Units.parse(value, q);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
