package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.SyntheticImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DataBenchCommandTest {
  @Test
  void benchmarksSyntheticImages() {
    DataBenchCommand cmd = new DataBenchCommand();
    CommandLine cl = new CommandLine(cmd);
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    int code = cl.execute("--synthetic", "12x12x1", "--seconds", "0.1", "--threads", "2",
        "--set", "train.batch_size=4", "--set", "train.mu=2");
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains("synthetic/12x12x1, 12x12x1, B=4, mu=2"), out.toString());
    assertTrue(out.toString().contains("labeled weak/s"), out.toString());
    assertEquals(2, cmd.result.threads());
    assertTrue(cmd.result.pool().sslStepsPerSec() > 0);
  }

  @Test
  void benchmarksOneWorkersShard() {
    DataBenchCommand cmd = new DataBenchCommand();
    CommandLine cl = new CommandLine(cmd);
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    int code = cl.execute("--synthetic", "12x12x1", "--seconds", "0.1", "--threads", "1", "--shards", "2",
        "--set", "train.batch_size=4", "--set", "train.mu=2");
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains("B=4, mu=2, one worker's shard (1/2 of each batch)"), out.toString());
    assertEquals(2, cmd.result.shards());
    assertTrue(cmd.result.single().sslStepsPerSec() > 0);
    DataBenchCommand bad = new DataBenchCommand();
    new CommandLine(bad).parseArgs("--synthetic", "8x8x1", "--shards", "3", "--set", "train.batch_size=4");
    UserInputException e = assertThrows(UserInputException.class, bad::call);
    assertTrue(e.getMessage().contains("--shards is 3, expected a divisor of train.batch_size 4"), e.getMessage());
  }

  @Test
  void syntheticShapesAreChecked() {
    Dataset d = SyntheticImages.of("5x6x3");
    assertEquals(5, d.height());
    assertEquals(6, d.width());
    assertEquals(3, d.channels());
    assertEquals(SyntheticImages.IMAGES, d.size());
    for (String bad : new String[] {"32x32", "32x32x2", "axbxc", "1x5x3"}) {
      UserInputException e = assertThrows(UserInputException.class, () -> SyntheticImages.of(bad));
      assertTrue(e.getMessage().contains("--synthetic " + bad), e.getMessage());
    }
  }

  @Test
  void nonPositiveSecondsOrThreadsAreUserErrors() {
    DataBenchCommand cmd = new DataBenchCommand();
    new CommandLine(cmd).parseArgs("--synthetic", "8x8x1", "--seconds", "0");
    assertThrows(UserInputException.class, cmd::call);
    DataBenchCommand threads = new DataBenchCommand();
    new CommandLine(threads).parseArgs("--synthetic", "8x8x1", "--threads", "0");
    UserInputException e = assertThrows(UserInputException.class, threads::call);
    assertTrue(e.getMessage().contains("--threads"), e.getMessage());
  }
}
