package dev.simmatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrecisionTest {
  private static final Set<String> AMX = Set.of("avx512f", "avx512_bf16", "amx_tile", "amx_bf16");
  private static final Set<String> AVX512_BF16 = Set.of("avx512f", "avx512_bf16");
  private static final Set<String> AVX2 = Set.of("avx", "avx2", "fma");

  @Test
  void theKeyDefaultsToFloat32AndTakesEachValue() {
    assertEquals("float32", ConfigLoader.defaults().train().precision());
    for (String v : Precision.VALUES) {
      assertEquals(v, ConfigLoader.load(null, List.of("train.precision=" + v)).train().precision());
    }
  }

  @Test
  void anUnknownValueIsRefusedWhenTheConfigIsLoaded() {
    UserInputException e = assertThrows(UserInputException.class,
        () -> ConfigLoader.load(null, List.of("train.precision=fp16")));
    assertTrue(e.getMessage().contains("train.precision") && e.getMessage().contains("fp16"), e.getMessage());
  }

  @Test
  void autoPicksBfloat16WhereEitherFlagIsReported() {
    for (Set<String> flags : List.of(AMX, AVX512_BF16, Set.of("amx_bf16"))) {
      Precision.Choice c = Precision.resolve("auto", flags);
      assertEquals(Precision.BFLOAT16, c.precision(), flags.toString());
      assertTrue(c.reason().contains("auto"), c.reason());
    }
    assertTrue(Precision.resolve("auto", AMX).reason().contains("avx512_bf16, amx_bf16"));
  }

  @Test
  void autoFallsBackToFloat32AndSaysWhy() {
    Precision.Choice c = Precision.resolve("auto", AVX2);
    assertEquals(Precision.FLOAT32, c.precision());
    assertEquals("auto", c.requested());
    assertTrue(c.reason().contains("neither avx512_bf16 nor amx_bf16"), c.reason());
  }

  @Test
  void explicitValuesAreKept() {
    assertEquals(Precision.FLOAT32, Precision.resolve("float32", AMX).precision());
    assertEquals(Precision.FLOAT32, Precision.resolve("float32", AVX2).precision());
    assertEquals(Precision.BFLOAT16, Precision.resolve("bfloat16", AVX512_BF16).precision());
  }

  @Test
  void bfloat16IsRefusedWithoutTheFlags() {
    UserInputException e = assertThrows(UserInputException.class, () -> Precision.resolve("bfloat16", AVX2));
    assertTrue(e.getMessage().contains("train.precision"), e.getMessage());
    assertTrue(e.getMessage().contains("avx512_bf16 or amx_bf16"), e.getMessage());
    // avx512f alone does not do bfloat16 arithmetic natively.
    assertThrows(UserInputException.class, () -> Precision.resolve("bfloat16", Set.of("avx512f")));
  }

  @Test
  void unknownValueNamesTheKeyAndTheChoices() {
    for (String bad : new String[] {"fp16", "bf16", "", null}) {
      UserInputException e = assertThrows(UserInputException.class, () -> Precision.resolve(bad, AMX));
      assertTrue(e.getMessage().contains("train.precision"), e.getMessage());
      assertTrue(e.getMessage().contains("[float32, bfloat16, auto]"), e.getMessage());
    }
  }

  @Test
  void flagsAreReadFromTheCpuinfoFlagsLine() {
    String cpuinfo = "processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu avx512f avx512_bf16 amx_tile\n"
        + "bugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n";
    Set<String> flags = CpuFlags.parse(cpuinfo);
    assertEquals(Set.of("fpu", "avx512f", "avx512_bf16", "amx_tile"), flags);
    assertEquals(Precision.BFLOAT16, Precision.resolve("auto", flags).precision());
    assertEquals(Set.of(), CpuFlags.parse("processor : 0\n"));
  }
}
