package dev.nube.engine.compute.images.tiny;

import dev.nube.engine.store.PrivateFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Writes a gzip-compressed "newc" cpio archive, the format the kernel unpacks as its initramfs. Every entry is owned
 * by root (the builder itself need not be root), parent folders are added on first use. Not thread-safe.
 */
final class Initramfs implements AutoCloseable {
    private final CpioArchiveOutputStream cpio;
    private final Set<String> folders = new HashSet<>();
    private long inode = 1;

    Initramfs(Path target) throws IOException {
        OutputStream out = new GZIPOutputStream(new BufferedOutputStream(PrivateFiles.newOutputStream(target),
                1 << 16));
        cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW);
    }

    void folder(String path, int mode) throws IOException {
        parents(path);
        if (folders.add(path)) {
            put(entry(path, CpioConstants.C_ISDIR | mode, 0), null);
        }
    }

    void file(String path, int mode, byte[] content) throws IOException {
        parents(path);
        put(entry(path, CpioConstants.C_ISREG | mode, content.length), content);
    }

    void file(String path, int mode, Path source) throws IOException {
        file(path, mode, Files.readAllBytes(source));
    }

    void symlink(String path, String target) throws IOException {
        parents(path);
        byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
        put(entry(path, CpioConstants.C_ISLNK | 0777, bytes.length), bytes);
    }

    /** A character device node (the kernel needs /dev/console before devtmpfs is mounted). */
    void charDevice(String path, int mode, int major, int minor) throws IOException {
        parents(path);
        CpioArchiveEntry entry = entry(path, CpioConstants.C_ISCHR | mode, 0);
        entry.setRemoteDeviceMaj(major);
        entry.setRemoteDeviceMin(minor);
        put(entry, null);
    }

    private void parents(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            folder(path.substring(0, slash), 0755);
        }
    }

    private CpioArchiveEntry entry(String path, long mode, long size) {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, path);
        entry.setMode(mode);
        entry.setSize(size);
        entry.setUID(0);
        entry.setGID(0);
        entry.setInode(inode++);
        entry.setNumberOfLinks((mode & CpioConstants.S_IFMT) == CpioConstants.C_ISDIR ? 2 : 1);
        entry.setTime(0);
        return entry;
    }

    private void put(CpioArchiveEntry entry, byte[] content) throws IOException {
        cpio.putArchiveEntry(entry);
        if (content != null) {
            cpio.write(content);
        }
        cpio.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
        cpio.close();
    }
}
