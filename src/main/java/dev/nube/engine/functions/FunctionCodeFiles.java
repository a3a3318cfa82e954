package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link FunctionCode} on the functions' folders: $LATEST is {@code code/}, a version's code is
 * {@code versions/N/code/} (read-only here) and {@code versions/N/code.zip}. Each change to $LATEST makes a new
 * revision, so the next invocation starts a fresh environment. Thread-safe: changes of one function's code are
 * serialised on the repository's lock.
 */
public final class FunctionCodeFiles implements FunctionCode {
    private final Functions functions;
    private final FunctionRepository repository;

    public FunctionCodeFiles(Functions functions) {
        this.functions = functions;
        this.repository = functions.repository();
    }

    private FunctionConfiguration function(String region, String name) {
        return functions.get(region, name);
    }

    @Override
    public List<CodeEntry> files(String region, String name, String qualifier) {
        return CodeFolder.list(repository.codeDir(function(region, name), qualifier));
    }

    @Override
    public byte[] readFile(String region, String name, String qualifier, String path) {
        return CodeFolder.read(repository.codeDir(function(region, name), qualifier), path);
    }

    @Override
    public void writeFile(String region, String name, String path, byte[] content) {
        saveFiles(region, name, Map.of(path, content));
    }

    @Override
    public void saveFiles(String region, String name, Map<String, byte[]> files) {
        change(region, name, code -> {
            files.keySet().forEach(path -> CodeFolder.resolve(code, path)); // refuse any bad path before writing
            files.forEach((path, content) -> CodeFolder.write(code, path, content));
        });
    }

    @Override
    public void createFolder(String region, String name, String path) {
        change(region, name, code -> CodeFolder.createFolder(code, path));
    }

    @Override
    public void rename(String region, String name, String from, String to) {
        change(region, name, code -> CodeFolder.rename(code, from, to));
    }

    @Override
    public void delete(String region, String name, String path) {
        change(region, name, code -> CodeFolder.delete(code, path));
    }

    /** Changes $LATEST's code folder under the repository's lock, then makes the new revision. */
    private void change(String region, String name, java.util.function.Consumer<Path> edit) {
        FunctionConfiguration function = function(region, name);
        synchronized (repository) {
            repository.dropPackage(function); // before the edit: an edit that fails half-way changed the code
            edit.accept(repository.codeDir(function));
        }
        functions.codeChanged(function);
    }

    @Override
    public void importZip(String region, String name, Path zip) {
        FunctionConfiguration function = function(region, name);
        if (!Files.isRegularFile(zip)) {
            throw new EngineException("InvalidParameterValueException", "There is no file " + zip + ".");
        }
        synchronized (repository) {
            Path code = repository.codeDir(function);
            Path incoming = code.resolveSibling("code.import-" + UUID.randomUUID());
            ZipPackages.unzip(zip, incoming); // refused: incoming is gone, code untouched
            Path old = code.resolveSibling("code.old-" + UUID.randomUUID());
            repository.dropPackage(function);
            try {
                Files.move(code, old);
                Files.move(incoming, code);
            } catch (IOException e) {
                CodeFolder.deleteTree(incoming);
                throw CodeFolder.storage(code, e);
            }
            CodeFolder.deleteTree(old);
            repository.keepPackage(function, zip);
        }
        functions.codeChanged(function);
    }

    @Override
    public CodePackage codePackage(String region, String name, String qualifier) {
        FunctionConfiguration function = function(region, name);
        if (qualifier == null || qualifier.equals(FunctionConfiguration.LATEST)) {
            return repository.latestPackage(function);
        }
        FunctionVersion version = repository.version(function, qualifier);
        return new CodePackage(version.codeSha256(), version.codeSize());
    }

    @Override
    public void exportZip(String region, String name, String qualifier, Path target) {
        FunctionConfiguration function = function(region, name);
        if (qualifier == null || qualifier.equals(FunctionConfiguration.LATEST)) {
            repository.copyLatestPackage(function, target);
            return;
        }
        Path zip = repository.versionDir(function, repository.version(function, qualifier).version())
                .resolve("code.zip");
        try {
            Path temp = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".tmp");
            Files.copy(zip, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not write " + target + ": " + e.getMessage(), e);
        }
    }
}
