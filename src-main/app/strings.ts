// The few strings the main process shows itself (native dialogs), in the UI's two languages.
// The renderer's strings live in its locales; these cannot, as main has no i18next.
export type MainStrings = Record<
  'quitTitle' | 'quitMessage' | 'quitDetail' | 'keepPrinting' | 'quitAnyway' | 'pickConfigTitle' | 'configFiles' | 'allFiles' | 'saveDiagnosticsTitle' | 'archives',
  string
>;

export const mainStrings: Record<'en' | 'zh-CN', MainStrings> = {
  en: {
    quitTitle: 'A print is running',
    quitMessage: 'Quitting now stops the print on {printers}.',
    quitDetail: 'The host stops feeding the printer, which then shuts down mid-print. Keep Tether open until the print is done, or cancel the print first.',
    keepPrinting: 'Keep printing',
    quitAnyway: 'Quit and stop the print',
    pickConfigTitle: 'Choose a printer.cfg',
    configFiles: 'Printer config',
    allFiles: 'All files',
    saveDiagnosticsTitle: 'Save diagnostics',
    archives: 'Archive',
  },
  'zh-CN': {
    quitTitle: '正在打印',
    quitMessage: '现在退出会中断 {printers} 上的打印。',
    quitDetail: '主机将停止向打印机发送数据，打印机会在打印中途停机。请保持 Tether 打开直到打印完成，或先取消打印。',
    keepPrinting: '继续打印',
    quitAnyway: '退出并停止打印',
    pickConfigTitle: '选择 printer.cfg',
    configFiles: '打印机配置',
    allFiles: '所有文件',
    saveDiagnosticsTitle: '保存诊断信息',
    archives: '压缩包',
  },
};

/** The strings for a system locale such as 'zh-CN', 'zh-Hans' or 'en-US' (Chinese -> zh-CN, else English). */
export function mainStringsFor(locale: string): MainStrings {
  return /^zh\b/i.test(locale) ? mainStrings['zh-CN'] : mainStrings.en;
}
