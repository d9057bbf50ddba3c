// The number formatter's named forms, as reports, records, trace lines and reasons print them.
#include <gtest/gtest.h>

#include "core/number_format.h"

namespace seccheck {
namespace {

TEST(NumberFormat, HexAlwaysCarriesItsPrefix) {
  EXPECT_EQ(hex(0), "0x0");
  EXPECT_EQ(hex(0x1f), "0x1f");
  EXPECT_EQ(hex(0xffffffffffffffffull), "0xffffffffffffffff");
}

TEST(NumberFormat, HexOrZeroPrintsZeroAsCDoes) {
  EXPECT_EQ(hex_or_zero(0), "0");
  EXPECT_EQ(hex_or_zero(0x7f0000001000), "0x7f0000001000");
}

TEST(NumberFormat, DecimalBelowTheCutOff) {
  EXPECT_EQ(flag_value(40), "40");
  EXPECT_EQ(flag_value(4095), "4095");
  EXPECT_EQ(flag_value(4096), "0x1000");
  EXPECT_EQ(flag_value(0x7e020000), "0x7e020000");
  EXPECT_EQ(decimal_or_hex(0xffff, 0x10000), "65535");
  EXPECT_EQ(decimal_or_hex(0x10000, 0x10000), "0x10000");
}

TEST(NumberFormat, OctalModes) {
  EXPECT_EQ(octal_mode(0644), "0644");
  EXPECT_EQ(octal_mode(0), "000");
}

}  // namespace
}  // namespace seccheck
