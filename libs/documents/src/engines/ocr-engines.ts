import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CHAT_CALLER, type ChatCaller } from './chat-caller';
import { LlmOcrEngine } from './llm-ocr.engine';
import { isLocalOcrModel, type OcrEngine } from './ocr-engine';
import { TesseractEngine } from './tesseract.engine';

/** Picks the OCR engine for a model name: `local-ocr/tesseract` locally, anything else through the gateway. */
@Injectable()
export class OcrEngines implements OnApplicationShutdown {
  private readonly tesseract = new TesseractEngine();

  constructor(@Inject(CHAT_CALLER) private readonly caller: ChatCaller) {}

  forModel(model: string): OcrEngine {
    return isLocalOcrModel(model) ? this.tesseract : new LlmOcrEngine(this.caller, model);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tesseract.close();
  }
}
