// What the webview panel hosts share: the panel itself (scripts on, resources only from
// dist/webview), the HTML shell that loads one bundle (<name>.js + <name>.css) under a CSP with a
// per-load nonce and no remote content, and opening a source line the webview points at.

import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPanelSpec {
  viewType: string;
  title: string;
  /** Keep the webview's DOM while its tab is hidden (state the webview cannot rebuild cheaply). */
  retainContextWhenHidden: boolean;
}

export interface WebviewShell {
  /** The bundle's base name in dist/webview: `<bundle>.js` and `<bundle>.css`. */
  bundle: string;
  title: string;
  /** What the page says until the script has drawn it. */
  loadingText: string;
  /** Allow inline styles (style-src 'unsafe-inline'): only for webviews whose libraries create
   *  <style> elements themselves. Scripts always need the nonce. */
  inlineStyles?: boolean;
  /** Allow data: images. */
  dataImages?: boolean;
}

/** A panel beside the editor whose webview may run scripts and load only from dist/webview. */
export function createWebviewPanel(context: vscode.ExtensionContext, spec: WebviewPanelSpec): { panel: vscode.WebviewPanel; root: vscode.Uri } {
  const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, vscode.ViewColumn.Beside, {
    enableScripts: true, localResourceRoots: [root], retainContextWhenHidden: spec.retainContextWhenHidden,
  });
  return { panel, root };
}

/** The page that loads `shell.bundle` from `root`; a fresh nonce on every call. */
export function webviewHtml(webview: vscode.Webview, root: vscode.Uri, shell: WebviewShell): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${shell.bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${shell.bundle}.css`));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}${shell.inlineStyles ? " 'unsafe-inline'" : ''}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${webview.cspSource}${shell.dataImages ? ' data:' : ''}`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${shell.title}</title></head>
<body><div id="root"><div class="status">${shell.loadingText}</div></div>
<script nonce="${nonce}" src="${script}"></script></body></html>`;
}

/** Opens `file` in the first editor column with the cursor on 1-based `line`; warns if it cannot. */
export async function openSourceLine(file: string, line: number): Promise<void> {
  try {
    const doc = await vscode.workspace.openTextDocument(file);
    const line0 = Math.max(0, line - 1);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line0, 0, line0, 0) });
  } catch {
    void vscode.window.showWarningMessage(`Cortex-M Sim: cannot open ${file}`);
  }
}
