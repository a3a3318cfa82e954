package dev.nube.ui.functions.editor;

import javafx.scene.control.SkinBase;
import javafx.scene.layout.BorderPane;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;

/** Lays out a {@link CodeEditor}: the find bar (when open) above the scrolling code area. FX thread only. */
final class CodeEditorSkin extends SkinBase<CodeEditor> {
    CodeEditorSkin(CodeEditor editor) {
        super(editor);
        VirtualizedScrollPane<CodeArea> scroll = new VirtualizedScrollPane<>(editor.area());
        scroll.getStyleClass().add("code-editor-scroll");
        FindReplaceBar bar = new FindReplaceBar(editor);
        BorderPane layout = new BorderPane(scroll);
        layout.setTop(bar);
        getChildren().add(layout);
    }
}
