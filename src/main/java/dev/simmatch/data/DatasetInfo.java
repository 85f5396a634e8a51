package dev.simmatch.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.simmatch.UserInputException;
import dev.simmatch.io.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a trained model needs to know of its dataset without the images: the image shape and the
 * class names. Training writes it as {@code RUN/dataset.json} so that a run can be exported on a
 * machine that does not hold the data.
 */
public record DatasetInfo(
    @JsonProperty("dataset") String dataset,
    @JsonProperty("height") int height,
    @JsonProperty("width") int width,
    @JsonProperty("channels") int channels,
    @JsonProperty("class_names") List<String> classNames) {
  public static final String FILE = "dataset.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static DatasetInfo of(String dataset, Dataset d) {
    return new DatasetInfo(dataset, d.height(), d.width(), d.channels(), d.classNames());
  }

  /** Writes {@code dir/dataset.json} through a temporary file. */
  public void write(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      Durable.writeString(file, JSON.writeValueAsString(this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Reads {@code dir/dataset.json}. */
  public static DatasetInfo read(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      DatasetInfo info = JSON.readValue(file.toFile(), DatasetInfo.class);
      if (info.height() < 1 || info.width() < 1 || info.channels() < 1 || info.classNames() == null
          || info.classNames().isEmpty()) {
        throw new UserInputException(file + ": expected positive height, width, channels and class_names");
      }
      return info;
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
