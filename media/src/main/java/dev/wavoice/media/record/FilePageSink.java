package dev.wavoice.media.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Pages to a file through a {@link FileChannel}. The file (and its missing parent directories) is created on the
 * first write, on the writer thread, so a full or read-only disk is a counted write error like any other, not an
 * exception on the thread that set the call up. An existing file is replaced.
 */
public final class FilePageSink implements PageSink {
    private final Path file;
    private FileChannel channel;

    public FilePageSink(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public void write(ByteBuffer page) throws IOException {
        if (channel == null) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
        while (page.hasRemaining()) {
            channel.write(page);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
