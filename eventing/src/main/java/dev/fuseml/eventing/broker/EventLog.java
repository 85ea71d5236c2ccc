package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The broker's durable log: accepted events and the deliveries that completed, appended to one file.
 *
 * <p>Fsync policy: an event is forced to disk ({@link FileChannel#force}) before {@link #append} returns, so an
 * event acknowledged to its producer survives a crash of the process and a power loss. Appends that arrive while a
 * force is under way share the next one (group commit): one fsync covers every event written before it started. Delivery marks are written
 * but not forced: after a power loss the last marks may be missing, which only means a redelivery (at-least-once),
 * never a lost event. Each record is framed with its length and CRC32, so a torn write at the tail is detected and
 * cut off on recovery.
 */
public final class EventLog implements Closeable {
    private static final byte EVENT = 'E';
    private static final byte DONE = 'D';

    private final Path file;
    private FileChannel channel;
    private long nextSeq = 1;
    /** Bytes written, and bytes known to be on disk (guarded by syncLock). */
    private volatile long written;
    private long forced;
    private final Object syncLock = new Object();
    private final ByteArrayOutputStream marks = new ByteArrayOutputStream();

    /** An event read back at recovery, with the triggers that had already taken it. */
    public record Recovered(long seq, String namespace, CloudEvent event, Set<String> delivered) {
    }

    public EventLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    /** Reads every intact record; a torn or corrupt tail is cut off so that new records follow good ones. */
    public synchronized List<Recovered> recover() throws IOException {
        Map<Long, Recovered> events = new LinkedHashMap<>();
        long goodEnd = 0;
        channel.position(0);
        ByteBuffer header = ByteBuffer.allocate(8);
        while (true) {
            header.clear();
            if (readFully(header) < 8) {
                break;
            }
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length <= 0 || length > 64 << 20) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            if (readFully(payload) < length) {
                break;
            }
            CRC32 check = new CRC32();
            check.update(payload.array());
            if ((int) check.getValue() != crc) {
                break;
            }
            apply(payload.array(), events);
            goodEnd = channel.position();
        }
        channel.truncate(goodEnd);
        channel.position(goodEnd);
        return new ArrayList<>(events.values());
    }

    private void apply(byte[] payload, Map<Long, Recovered> events) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            byte op = in.readByte();
            long seq = in.readLong();
            nextSeq = Math.max(nextSeq, seq + 1);
            if (op == EVENT) {
                String namespace = in.readUTF();
                byte[] json = in.readAllBytes();
                try {
                    events.put(seq, new Recovered(seq, namespace, CloudEventHttp.fromJson(json), new HashSet<>()));
                } catch (RuntimeException unreadable) {
                    // One record that cannot be read must not keep every other event from being replayed.
                    skipped++;
                    System.getLogger(EventLog.class.getName()).log(System.Logger.Level.ERROR, "skipping event record "
                            + seq + " of the broker's log at recovery: it cannot be read (" + unreadable.getMessage()
                            + ")");
                }
            } else if (op == DONE) {
                Recovered recovered = events.get(seq);
                if (recovered != null) {
                    recovered.delivered().add(in.readUTF());
                }
            }
        }
    }

    private int skipped;

    /** Event records the last recovery could not read and skipped. */
    public synchronized int skippedAtRecovery() {
        return skipped;
    }

    /** An event to append, with its namespace. */
    public record Entry(String namespace, CloudEvent event) {
    }

    /**
     * Appends events with one write and one force; returns their sequence numbers once all are on disk. The
     * broker's writer thread hands it whatever arrived while the previous batch was being forced.
     */
    public long[] appendAll(java.util.List<Entry> entries) throws IOException {
        long[] seqs = new long[entries.size()];
        long end;
        synchronized (this) {
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream(entries.size() * 512);
            for (int i = 0; i < entries.size(); i++) {
                seqs[i] = nextSeq++;
                batch.write(encodeEvent(seqs[i], entries.get(i).namespace(), entries.get(i).event()));
            }
            write(batch.toByteArray());
            end = channel.position();
            written = end;
        }
        awaitForced(end);
        return seqs;
    }

    /** Appends an accepted event and returns its sequence number once it is on disk. */
    public long append(String namespace, CloudEvent event) throws IOException {
        byte[] record;
        long seq;
        long end;
        synchronized (this) {
            seq = nextSeq++;
            record = encodeEvent(seq, namespace, event);
            write(record);
            end = channel.position();
            written = end;
        }
        awaitForced(end);
        return seq;
    }

    /**
     * Group commit: the thread that gets here first forces everything written so far; those that wrote meanwhile
     * queue on the lock and find their record already on disk, or force the next batch.
     */
    private void awaitForced(long end) throws IOException {
        synchronized (syncLock) {
            if (forced >= end) {
                return;
            }
            long target = written;
            FileChannel current;
            synchronized (this) {
                current = channel;
            }
            current.force(false);
            forced = Math.max(forced, target);
        }
    }

    /**
     * Records that {@code trigger} has taken event {@code seq} (delivered, or dead-lettered). Buffered, and written
     * with the next batch of events or by {@link #flushMarks()}: a mark lost in a crash only costs a redelivery.
     */
    public void markDelivered(long seq, String trigger) {
        try {
            byte[] mark = frame(out -> {
                out.writeByte(DONE);
                out.writeLong(seq);
                out.writeUTF(trigger);
            });
            synchronized (marks) {
                marks.write(mark);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a delivery in the event log " + file, e);
        }
    }

    /** Writes the buffered delivery marks (not forced). */
    public synchronized void flushMarks() throws IOException {
        byte[] pending;
        synchronized (marks) {
            if (marks.size() == 0) {
                return;
            }
            pending = marks.toByteArray();
            marks.reset();
        }
        write(pending);
        written = channel.position();
    }

    /**
     * Replaces the log by one holding only {@code keep}, with their delivery marks: the log stays as small as the
     * work still to do. Written to a new file and renamed over the old one, so a crash leaves one or the other.
     */
    public synchronized void compact(List<Recovered> keep) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".compact");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Recovered r : keep) {
                out.write(ByteBuffer.wrap(encodeEvent(r.seq(), r.namespace(), r.event())));
                for (String trigger : r.delivered()) {
                    out.write(ByteBuffer.wrap(frame(o -> {
                        o.writeByte(DONE);
                        o.writeLong(r.seq());
                        o.writeUTF(trigger);
                    })));
                }
            }
            out.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.position(channel.size());
        written = channel.size();
        synchronized (syncLock) {
            forced = written;
        }
    }

    public synchronized long size() throws IOException {
        return channel.size();
    }

    private byte[] encodeEvent(long seq, String namespace, CloudEvent event) throws IOException {
        byte[] json = CloudEventHttp.toJson(event);
        return frame(out -> {
            out.writeByte(EVENT);
            out.writeLong(seq);
            out.writeUTF(namespace);
            out.write(json);
        });
    }

    private void write(byte[] framed) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(framed);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private int readFully(ByteBuffer buffer) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] frame(Body body) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(payload)) {
            body.write(out);
        }
        byte[] bytes = payload.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(bytes);
        ByteBuffer framed = ByteBuffer.allocate(8 + bytes.length);
        framed.putInt(bytes.length).putInt((int) crc.getValue()).put(bytes);
        return framed.array();
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel.isOpen()) {
            flushMarks();
        }
        channel.close();
    }
}
