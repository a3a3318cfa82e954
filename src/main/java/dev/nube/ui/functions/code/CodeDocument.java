package dev.nube.ui.functions.code;

import dev.nube.ui.functions.editor.Language;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * A file of a function's code open in the editor: its path, the text as saved and as edited (dirty when they
 * differ). A file that is not UTF-8 text, or too big to edit, is opened as a notice instead of text. FX thread only.
 */
public final class CodeDocument {
    /** The Lambda console stops editing inline past 3 MB; so does Nube. */
    static final int MAX_EDITABLE_BYTES = 3 * 1024 * 1024;

    private final ReadOnlyStringWrapper path;
    private final ReadOnlyStringWrapper saved;
    private final StringProperty text;
    private final BooleanBinding dirty;
    private final String notShown;
    private final javafx.collections.ObservableList<dev.nube.engine.functions.BuildProblem> problems =
            javafx.collections.FXCollections.observableArrayList();

    private CodeDocument(String path, String content, String notShown) {
        this.path = new ReadOnlyStringWrapper(path);
        this.saved = new ReadOnlyStringWrapper(content);
        this.text = new SimpleStringProperty(content);
        this.notShown = notShown;
        this.dirty = Bindings.createBooleanBinding(() -> !text.get().equals(saved.get()), text, saved);
    }

    /** A document of a file's bytes as read. */
    static CodeDocument of(String path, byte[] bytes) {
        if (bytes.length > MAX_EDITABLE_BYTES) {
            return new CodeDocument(path, "", "This file has " + bytes.length + " bytes: too big to edit here"
                    + " (at most 3 MB). Export the code as a zip to edit it elsewhere.");
        }
        try {
            String content = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            if (content.indexOf('\0') >= 0) {
                return binary(path, bytes.length);
            }
            return new CodeDocument(path, content.replace("\r\n", "\n"), null);
        } catch (CharacterCodingException e) {
            return binary(path, bytes.length);
        }
    }

    private static CodeDocument binary(String path, int size) {
        return new CodeDocument(path, "", "This file is not text (" + size + " bytes); the editor shows UTF-8 text"
                + " files only.");
    }

    /** A new, empty file not yet on disk counts as saved empty (it is created empty at once). */
    static CodeDocument empty(String path) {
        return new CodeDocument(path, "", null);
    }

    public String path() {
        return path.get();
    }

    ReadOnlyStringProperty pathProperty() {
        return path.getReadOnlyProperty();
    }

    void moved(String newPath) {
        path.set(newPath);
    }

    /** The file's name without its folders. */
    String fileName() {
        return path().substring(path().lastIndexOf('/') + 1);
    }

    Language language() {
        String first = text.get().lines().findFirst().orElse("");
        return Language.of(path(), first);
    }

    public StringProperty textProperty() {
        return text;
    }

    public String text() {
        return text.get();
    }

    BooleanBinding dirtyProperty() {
        return dirty;
    }

    public boolean dirty() {
        return dirty.get();
    }

    /** Null for text; else why the file is not shown as text. */
    public String notShown() {
        return notShown;
    }

    /** The errors the last Deploy's build found in this file (marked at their lines in its editor). */
    public javafx.collections.ObservableList<dev.nube.engine.functions.BuildProblem> problems() {
        return problems;
    }

    /** {@code content} reached the disk: it is the saved text now. */
    void markSaved(String content) {
        saved.set(content);
    }
}
